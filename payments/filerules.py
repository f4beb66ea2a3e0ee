"""Pure rules of the payment files: references, transfer content, months, result words.

No Django imports: exhaustively testable, shared by the bank files, the post
office lists and the results import.

- **Payment reference** (``Mã thanh toán``): ``ASXH`` and the payment's id
  with at least 8 digits (``ASXH00001234``). A payment exists only once its
  cycle is built and an exported cycle (approved or later) never changes, so
  the id is stable; it is unique across communes, so a bank serving a whole
  province can return rows of several communes in one file.
- **Transfer content** (``Nội dung chuyển khoản``): ``TRO CAP T09/2023
  ASXH00001234``: ASCII, upper case, no diacritics (banks strip or reject
  them), 29 characters for ids below 10⁸ and at most 50 in any case.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from core.rules.months import next_month

REFERENCE_PREFIX = "ASXH"
REFERENCE_RE = re.compile(r"^ASXH([0-9]{8,12})$")
TRANSFER_CONTENT_MAX = 50

# Folded (upper case, no diacritics) result words of the bank's results file.
RESULT_PAID = "paid"
RESULT_FAILED = "failed"
RESULT_WORDS = {
    "THANH CONG": RESULT_PAID,
    "KHONG THANH CONG": RESULT_FAILED,
    "THAT BAI": RESULT_FAILED,
}


def payment_reference(payment_id: int) -> str:
    """``1234`` → ``ASXH00001234``."""
    return f"{REFERENCE_PREFIX}{payment_id:08d}"


def parse_reference(value: str) -> int | None:
    """``ASXH00001234`` → ``1234``; ``None`` for anything else."""
    match = REFERENCE_RE.match(value.strip().upper())
    return int(match.group(1)) if match else None


def transfer_content(period: datetime.date, payment_id: int) -> str:
    """``TRO CAP T09/2023 ASXH00001234`` (ASCII, at most 50 characters)."""
    text = f"TRO CAP T{period:%m/%Y} {payment_reference(payment_id)}"
    if len(text) > TRANSFER_CONTENT_MAX or not text.isascii():
        raise ValueError(f"transfer content out of bounds: {text!r}")
    return text


def _runs(months: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    runs: list[tuple[datetime.date, datetime.date]] = []
    for month in months:
        if runs:
            first, last = runs[-1]
            if month == next_month(last):
                runs[-1] = (first, month)
                continue
        runs.append((month, month))
    return runs


def _run_label(first: datetime.date, last: datetime.date) -> str:
    return f"{first:%m/%Y}" if first == last else f"{first:%m/%Y}-{last:%m/%Y}"


def months_label(lines: Iterable[tuple[datetime.date, str]]) -> str:
    """The months a payment covers: ``07/2023-09/2023``; top-ups named apart.

    ``lines`` are (month, kind) with kind ``regular`` or ``top_up``:
    ``[(7/2023, regular), (8/2023, regular), (7/2023, top_up)]`` →
    ``07/2023-08/2023; chênh lệch 07/2023``.
    """
    regular = sorted({m for m, kind in lines if kind == "regular"})
    top_up = sorted({m for m, kind in lines if kind != "regular"})
    parts = [", ".join(_run_label(a, b) for a, b in _runs(regular))] if regular else []
    if top_up:
        parts.append("chênh lệch " + ", ".join(_run_label(a, b) for a, b in _runs(top_up)))
    return "; ".join(parts)
