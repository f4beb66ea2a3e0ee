"""The exchange with the banks, as files: one bank file per bank out, results back.

Banks are not online for a commune: the commune sends each bank a file of
the transfers to make (.xlsx with the official layout, to sign, and .csv,
to load) and the bank returns the same rows with a result.
:class:`BankFileExchange` is the one small interface: a live connector would
implement the same methods (``export``; ``check_results`` and
``import_results``, the results seen before they are recorded, then
recorded) and nothing else would change. The files are made by :mod:`payments.bankexport` and the
results read by :mod:`payments.bankresults`. Layouts: ``docs/bank-files.md``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import IO

from payments.bankexport import ExportedFile, MonthLabels, export_bank_files
from payments.bankresults import ImportSummary, check_bank_results, import_bank_results
from payments.models import PaymentCycle


class BankFileExchange:
    """Transfers out as one .xlsx and one .csv per bank; results back from the same rows."""

    def export(
        self,
        cycle: PaymentCycle,
        folder: Path,
        *,
        dated: datetime.date,
        labels: MonthLabels | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[ExportedFile]:
        """Write each bank's .xlsx and .csv into ``folder``; returns them with figures."""
        return export_bank_files(cycle, folder, dated=dated, labels=labels, progress=progress)

    def check_results(
        self,
        source: str | Path | IO[bytes],
        *,
        filename: str,
        commune=None,
        cycle: PaymentCycle | None = None,
        programme_ids: list[int] | None = None,
        today: datetime.date | None = None,
    ) -> ImportSummary:
        """Validate every row and count what would be recorded; record nothing."""
        return check_bank_results(
            source,
            filename=filename,
            commune=commune,
            cycle=cycle,
            programme_ids=programme_ids,
            today=today,
        )

    def import_results(
        self,
        source: str | Path | IO[bytes],
        *,
        filename: str,
        commune=None,
        cycle: PaymentCycle | None = None,
        programme_ids: list[int] | None = None,
        actor=None,
        today: datetime.date | None = None,
    ) -> ImportSummary:
        """Validate every row; then record every result in one transaction, or nothing."""
        return import_bank_results(
            source,
            filename=filename,
            commune=commune,
            cycle=cycle,
            programme_ids=programme_ids,
            actor=actor,
            today=today,
        )
