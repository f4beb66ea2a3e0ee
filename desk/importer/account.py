"""A registry row's payment account: bank or e-wallet, number, holder.

Read only when the method is an account; an account written on a cash row is
ignored with a warning. The holder is compared, folded, with whoever
receives the money.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.rules.accounts import AccountNumberError, normalize_account_number
from core.rules.names import fold_name
from desk.importer.context import SheetContext
from desk.importer.lookups import lookup_text
from desk.importer.receiver import ReceiverFields
from documents.spreadsheet import cell_text

Cells = tuple[object, ...]


@dataclass(slots=True)
class AccountFields:
    number: str
    bank_bin: str | None
    holder: str  # folded, "" when not given
    ewallet: bool


NO_ACCOUNT = AccountFields("", None, "", False)


def read_account(
    ctx: SheetContext, r: int, row: Cells, receiver: ReceiverFields, full_name: str
) -> AccountFields:
    cols = ctx.cols
    raw_account, raw_bank = row[cols.account], row[cols.bank]
    if receiver.method != "account":
        if raw_account is not None or raw_bank is not None:
            ctx.warning(
                r,
                "account_number" if raw_account is not None else "bank",
                raw_account if raw_account is not None else raw_bank,
                _(
                    "Hình thức nhận là tiền mặt nên số tài khoản, ngân hàng ở dòng này không "
                    "được dùng; nếu nhận qua tài khoản hãy ghi Hình thức nhận là Tài khoản."
                ),
            )
        return NO_ACCOUNT
    bank_bin, ewallet = _bank(ctx, r, raw_bank, receiver.ewallet)
    number = _number(ctx, r, raw_account, ewallet)
    holder = _holder(ctx, r, row[cols.holder], receiver, full_name)
    return AccountFields(number, bank_bin, holder, ewallet)


def _bank(ctx: SheetContext, r: int, raw: object, ewallet: bool) -> tuple[str | None, bool]:
    """``(BIN, e-wallet)``: an e-wallet's name makes the account an e-wallet."""
    if raw is None:
        ctx.error(
            r,
            "bank",
            raw,
            _("Nhận qua tài khoản nhưng chưa có tên ngân hàng (hoặc ví điện tử)."),
        )
        return None, ewallet
    found = ctx.lookups.bank(lookup_text(raw))
    if found is None:
        ctx.error(
            r,
            "bank",
            raw,
            _(
                "Không nhận ra ngân hàng “%(value)s”: ghi tên ngắn như Agribank, "
                "VietinBank, BIDV, hoặc tên đầy đủ."
            )
            % {"value": cell_text(raw)},
        )
        return None, ewallet
    if found == "ambiguous":
        ctx.error(
            r,
            "bank",
            raw,
            _("Tên ngân hàng “%(value)s” trùng với nhiều ngân hàng: ghi rõ hơn hoặc ghi mã BIN.")
            % {"value": cell_text(raw)},
        )
        return None, ewallet
    bank_bin, is_wallet = found  # type: ignore[misc]
    if is_wallet:
        return bank_bin, True
    if ewallet:
        ctx.error(
            r,
            "bank",
            raw,
            _(
                "Hình thức nhận là ví điện tử nhưng “%(value)s” là ngân hàng: ghi tên ví "
                "(ViettelMoney, VNPTMoney, MoMo) hoặc đổi hình thức nhận thành Tài khoản."
            )
            % {"value": cell_text(raw)},
        )
    return bank_bin, ewallet


def _number(ctx: SheetContext, r: int, raw: object, ewallet: bool) -> str:
    if raw is None:
        ctx.error(r, "account_number", raw, _("Nhận qua tài khoản nhưng chưa có số tài khoản."))
        return ""
    try:
        return normalize_account_number(raw, ewallet=ewallet)  # type: ignore[arg-type]
    except AccountNumberError as exc:
        ctx.error(r, "account_number", raw, exc.message)
        return ""


def _holder(
    ctx: SheetContext, r: int, raw: object, receiver: ReceiverFields, full_name: str
) -> str:
    """The holder, folded; a warning when it is not the name of whoever receives."""
    if raw is None:
        return ""
    holder = fold_name(cell_text(raw))
    by_proxy = receiver.receiver in ("proxy", "guardian") and receiver.rep_name
    receiver_name = receiver.rep_name if by_proxy else full_name
    if receiver_name and holder != fold_name(receiver_name):
        ctx.warning(
            r,
            "account_holder",
            raw,
            _(
                "Tên chủ tài khoản “%(holder)s” khác tên người nhận tiền “%(receiver)s”: "
                "hãy kiểm tra tài khoản có đúng của người nhận không."
            )
            % {"holder": holder, "receiver": receiver_name},
        )
    return holder
