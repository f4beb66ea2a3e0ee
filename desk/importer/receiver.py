"""A registry row's registration: how the money is received, and by whom.

The payment method (account, e-wallet, cash, at home) and the receiver (the
beneficiary, a proxy or a guardian, with the representative's name and
personal ID). A representative is never the beneficiary themself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from desk.importer.context import SheetContext
from desk.importer.lookups import lookup_text
from desk.importer.person import personal_id
from desk.importer.values import METHOD_WORDS, RECEIVER_WORDS, Method, ReceiverKind
from documents.spreadsheet import cell_text, fold_key

Cells = tuple[object, ...]


@dataclass(slots=True)
class ReceiverFields:
    method: Method
    ewallet: bool
    receiver: ReceiverKind
    rep_name: str
    rep_personal_id: str | None
    relationship: str


def read_receiver(
    ctx: SheetContext, r: int, row: Cells, beneficiary_id: str | None
) -> ReceiverFields:
    """The method and the receiver of row ``r``; ``beneficiary_id`` the row's personal ID."""
    cols = ctx.cols
    method, ewallet = _method(ctx, r, row[cols.method])
    raw_rep_name = row[cols.rep_name]
    rep_name = ctx.text(raw_rep_name)
    receiver = _receiver_kind(ctx, r, row[cols.receiver], rep_name)
    rep_id = _representative(
        ctx, r, raw_rep_name, rep_name, row[cols.rep_id], receiver, beneficiary_id
    )
    relationship = ctx.text(row[cols.relationship])
    return ReceiverFields(method, ewallet, receiver, rep_name, rep_id, relationship)


def _method(ctx: SheetContext, r: int, raw: object) -> tuple[Method, bool]:
    """``(method, e-wallet)``; cash when the column is empty."""
    if raw is None:
        return "cash", False
    found = METHOD_WORDS.get(fold_key(lookup_text(raw)))
    if found is None:
        ctx.error(
            r,
            "method",
            raw,
            _(
                "Hình thức nhận “%(value)s” không hợp lệ: ghi Tài khoản, Ví điện tử, "
                "Tiền mặt hoặc Tại nhà."
            )
            % {"value": cell_text(raw)},
        )
        return "cash", False
    return found


def _receiver_kind(ctx: SheetContext, r: int, raw: object, rep_name: str) -> ReceiverKind:
    """The receiver column; without it, a proxy when a representative is named."""
    receiver: ReceiverKind = "proxy" if rep_name else "self"
    if raw is None:
        return receiver
    found = RECEIVER_WORDS.get(fold_key(lookup_text(raw)))
    if found is None:
        ctx.error(
            r,
            "receiver_kind",
            raw,
            _("Người nhận “%(value)s” không hợp lệ: ghi Bản thân, Ủy quyền hoặc Giám hộ.")
            % {"value": cell_text(raw)},
        )
        return receiver
    if found == "self" and rep_name:
        ctx.warning(
            r,
            "receiver_kind",
            raw,
            _(
                "Có tên người nhận thay (%(name)s) nhưng người nhận ghi là bản thân: "
                "tiền sẽ trả cho chính đối tượng."
            )
            % {"name": rep_name},
        )
    return found


def _representative(
    ctx: SheetContext,
    r: int,
    raw_rep_name: object,
    rep_name: str,
    raw_rep_id: object,
    receiver: ReceiverKind,
    beneficiary_id: str | None,
) -> str | None:
    """The representative's personal ID, checked against the beneficiary's."""
    if receiver in ("proxy", "guardian") and not rep_name:
        ctx.error(
            r,
            "rep_name",
            raw_rep_name,
            _(
                "Người nhận là người được ủy quyền hoặc giám hộ nhưng chưa có họ tên người nhận thay."
            ),
        )
    if not rep_name:
        if raw_rep_id is not None:
            ctx.error(
                r,
                "rep_personal_id",
                raw_rep_id,
                _("Có số CCCD người nhận thay nhưng chưa có họ tên người nhận thay."),
            )
        return None
    if raw_rep_id is None:
        ctx.error(
            r,
            "rep_personal_id",
            raw_rep_id,
            _("Chưa có số CCCD của người nhận thay %(name)s (bắt buộc khi có người nhận thay).")
            % {"name": rep_name},
        )
        return None
    rep_id = personal_id(ctx, r, "rep_personal_id", raw_rep_id, None, None)
    if rep_id is not None and rep_id == beneficiary_id:
        ctx.error(
            r,
            "rep_personal_id",
            raw_rep_id,
            _("Người nhận thay không thể là chính đối tượng (trùng số CCCD)."),
        )
    return rep_id
