"""The post office's cash account of a cycle settled as the two people do it: the
accountant records the handover, the post office the cash it returns, then both
confirm (``close_cycle`` refuses a cycle with cash until then)."""

from __future__ import annotations

import datetime

from payments.models import PaymentCycle
from payments.services.cashaccount import (
    account_state,
    confirm_for_accountant,
    confirm_for_post_office,
    record_handover,
    record_returned_cash,
)


def settle_cash_account(
    cycle: PaymentCycle, *, accountant, post_office, day: datetime.date | None = None
) -> None:
    """Hand over the lists' total, return the rows not collected, confirm twice.

    Call it once every cash row has its result; a cycle without cash is left alone.
    """
    state = account_state(cycle)
    if not state.has_cash:
        return
    day = day or cycle.period.replace(day=10)
    record_handover(
        cycle,
        amount=state.figures.total,
        handed_over_on=day,
        voucher=f"PC-{cycle.period:%m%Y}",
        actor=accountant,
    )
    record_returned_cash(
        cycle, amount=state.figures.returned_amount, returned_on=day, actor=post_office
    )
    confirm_for_post_office(cycle, actor=post_office)
    confirm_for_accountant(cycle, actor=accountant)
