"""Money across a merger: each month is owed from the first cycle of the commune
the enrolment belonged to that month. The new commune's first cycle pays as
arrears what the old commune's cycles left unpaid, never a month paid already,
and invents nothing for an old commune that had no cycle in the system."""

from __future__ import annotations

import datetime

import pytest

from desk.merger import merge_communes
from payments.models import PaymentMonth
from payments.services.cycles import open_cycle
from tests.merger.conftest import JUNE, ON, close, enrol

pytestmark = pytest.mark.django_db

MAY = datetime.date(2025, 5, 1)
AUGUST = datetime.date(2025, 8, 1)


def months_paid(enrolment) -> dict[datetime.date, int]:
    lines = PaymentMonth.objects.filter(beneficiary=enrolment, live=True)
    paid: dict[datetime.date, int] = {}
    for month, amount in lines.values_list("month", "amount"):
        paid[month] = paid.get(month, 0) + amount
    return paid


def test_the_new_communes_first_cycle_continues_the_old_communes_arrears(commune, ha_dong):
    paid_up = enrol(commune, amount=1_000_000, full_name="Đã Nhận Đủ")
    close(open_cycle(commune, MAY).cycle)
    close(open_cycle(commune, JUNE).cycle)
    # Decided late: owed from May, after the old commune's last cycle was closed.
    late = enrol(commune, amount=500_000, start=MAY, full_name="Quyết Định Muộn")
    # Hà Đông never used the system: its months before the merger were paid outside.
    outside = enrol(ha_dong, amount=700_000, start=datetime.date(2024, 1, 1), full_name="Ngoài")

    new = merge_communes(
        into_code="15271", name="Hà Trung", from_codes=["15307", "15280"], on=ON
    ).commune
    first = open_cycle(new, ON).cycle

    # Months before Yến Sơn's first cycle (May) were paid outside the system.
    assert months_paid(paid_up) == {
        MAY: 1_000_000,
        JUNE: 1_000_000,
        ON: 1_000_000,
    }
    # May and June as arrears, once, in the new commune's cycle.
    assert months_paid(late) == {MAY: 500_000, JUNE: 500_000, ON: 500_000}
    assert first.payments.get(beneficiary=late).amount == 1_500_000
    assert months_paid(outside) == {ON: 700_000}
    assert first.total_amount == 1_000_000 + 1_500_000 + 700_000

    close(first)
    second = open_cycle(new, AUGUST).cycle
    # Nothing paid twice: August only, for everyone.
    assert {p.beneficiary_id: p.amount for p in second.payments.all()} == {
        paid_up.pk: 1_000_000,
        late.pk: 500_000,
        outside.pk: 700_000,
    }
    assert set(second.payments.values_list("months__month", flat=True)) == {AUGUST}


def test_an_absorbing_commune_keeps_its_own_start(commune, other_commune):
    """Hà Trung used the system from June, Yến Sơn from May: each month is owed by
    its own commune's rule, the absorbing commune's own people no earlier than its
    first cycle."""
    moved = enrol(commune, amount=300_000, start=datetime.date(2025, 4, 1))
    own = enrol(other_commune, amount=400_000, start=datetime.date(2025, 3, 1))
    close(open_cycle(commune, MAY).cycle)
    close(open_cycle(other_commune, JUNE).cycle)
    # Yến Sơn's June cycle never happened: its June is owed by the old commune's rule.
    merge_communes(into_code="15271", name="Hà Trung", from_codes=["15307"], on=ON)
    open_cycle(other_commune, ON)
    assert months_paid(moved) == {
        MAY: 300_000,
        JUNE: 300_000,
        ON: 300_000,
    }
    assert months_paid(own) == {JUNE: 400_000, ON: 400_000}


def test_the_first_cycle_after_a_merger_compares_with_the_old_communes_last(commune, ha_dong):
    from payments.changes import change_counts, cycle_changes, previous_cycle

    stays = enrol(commune, amount=1_000_000, full_name="Vẫn Nhận")
    enrol(ha_dong, amount=700_000, start=ON, full_name="Mới Hưởng")
    june = open_cycle(commune, JUNE).cycle
    close(june)
    new = merge_communes(
        into_code="15271", name="Hà Trung", from_codes=["15307", "15280"], on=ON
    ).commune
    first = open_cycle(new, ON).cycle
    assert previous_cycle(first) == june
    changes = list(cycle_changes(first))
    # Vẫn Nhận was paid in Yến Sơn's June cycle: no change; Mới Hưởng is new.
    assert [(c.kind, c.full_name) for c in changes] == [("new", "Mới Hưởng")]
    assert stays.pk not in {c.beneficiary_id for c in changes}
    assert change_counts(first)["stopped"] == 0


def test_the_monthly_job_opens_the_new_communes_cycle_after_the_old_ones(commune):
    from payments.services.monthly import communes_without_cycle

    enrol(commune)
    close(open_cycle(commune, JUNE).cycle)
    new = merge_communes(into_code="15271", name="Hà Trung", from_codes=["15307"], on=ON).commune
    # Hà Trung never had a cycle; Yến Sơn, merged into it, had: the job opens July for it.
    assert list(communes_without_cycle(ON)) == [new]
    open_cycle(new, ON)
    assert not communes_without_cycle(ON).exists()
