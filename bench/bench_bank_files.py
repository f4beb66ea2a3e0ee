"""A cycle's payment files, and the banks' results back.

* ``files``: what the job builds for one submitted cycle — the bank files
  (one .xlsx and one .csv per bank, the changes workbook, zipped) and the post
  office's workbook (cash and home lists, its changes sheet) — for a commune
  of N beneficiaries (about one payment each). Rows: payments written.
* ``import``: a results file with one "Thành công" row per account payment,
  validated then recorded in one transaction — set-based (``record_results``,
  what the page and the command do) or, the baseline, through
  ``record_result`` row by row. About 55 % of payments go to an account, so
  180,000 beneficiaries give a 100,000-row file. Row by row takes minutes at
  that size: the full-size baseline records the first 10,000 rows of the same
  file from the same state (the table's figure for 100,000 rows is that
  time extrapolated, and says so).

Set-up (not measured): synthetic data, ``open_cycle``, the cycle marked
submitted; for ``import``, the results file written from the bank files.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

OPERATION = "bank_files"
PERIOD = datetime.date(2025, 6, 1)
RESULTS = Path(tempfile.gettempdir()) / "bench_bank_results.csv"


def cases(quick: bool) -> list[dict]:
    if quick:
        return [
            {"size": "10,000 beneficiaries, files", "n": 10_000, "what": "files"},
            {"size": "18,000 beneficiaries, results set-based", "n": 18_000, "what": "import"},
            {
                "size": "18,000 beneficiaries, results row by row",
                "n": 18_000,
                "what": "import",
                "one_by_one": True,
            },
        ]
    return [
        {"size": "100,000 beneficiaries, files", "n": 100_000, "what": "files"},
        {"size": "180,000 beneficiaries, results set-based", "n": 180_000, "what": "import"},
        {
            "size": "180,000 beneficiaries, results row by row (first 10,000 rows)",
            "n": 180_000,
            "what": "import",
            "one_by_one": True,
            "limit": 10_000,
        },
    ]


def _cycle():
    from payments.models import PaymentCycle

    return PaymentCycle.objects.select_related("commune").get(period=PERIOD)


def setup(case: dict) -> None:
    import csv

    from django.contrib.auth.models import User

    from beneficiaries.models import Commune
    from demo.synthetic import generate_synthetic
    from payments.bankfiles import BankFileExchange
    from payments.models import PaymentCycle
    from payments.services.cycles import open_cycle

    generate_synthetic(communes=1, beneficiaries=case["n"], seed=13)
    commune = Commune.objects.filter(beneficiaries__isnull=False).distinct().get()
    cycle = open_cycle(commune, PERIOD).cycle
    leader = User.objects.create(username="bench_leader")
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
    if case["what"] != "import":
        return
    cycle.refresh_from_db()
    with tempfile.TemporaryDirectory() as work:
        files = BankFileExchange().export(cycle, Path(work), dated=PERIOD)
        with RESULTS.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            header_written = False
            written = 0  # rows, over every bank's file
            for exported in files:
                if exported.path.suffix != ".csv":
                    continue
                with exported.path.open(encoding="utf-8-sig") as handle:
                    rows = list(csv.reader(handle))
                if not header_written:
                    writer.writerow(
                        rows[0]
                        + [
                            "Kết quả",
                            "Mã giao dịch ngân hàng",
                            "Ngày giao dịch",
                            "Lý do không thành công",
                        ]  # fmt: skip
                    )
                    header_written = True
                for row in rows[1:-1]:
                    written += 1
                    if written > case.get("limit", written):
                        break
                    writer.writerow(row + ["Thành công", f"FT{written:09d}", "10/06/2025", ""])


def run(case: dict) -> int:
    if case["what"] == "import":
        from payments.bankresults import import_bank_results

        with RESULTS.open("rb") as handle:
            summary = import_bank_results(
                handle,
                filename=RESULTS.name,
                today=datetime.date(2025, 6, 30),
                one_by_one=case.get("one_by_one", False),
            )
        assert summary.ok, [str(e) for e in summary.errors[:5]]
        return summary.changed

    from documents.jobs import build_generated_file
    from documents.models import GeneratedFile
    from payments.cyclefiles import request_cycle_files

    files = request_cycle_files(_cycle(), actor=None, queue=False)
    rows = 0
    for generated in files:
        build_generated_file(generated.pk, today=datetime.date(2025, 6, 3))
        done = GeneratedFile.objects.get(pk=generated.pk)
        assert done.status == GeneratedFile.Status.DONE, done.error
        rows += done.rows
    return rows
