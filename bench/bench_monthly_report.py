"""The monthly report of one commune (:mod:`reports.monthly`) as the job builds it.

Set-up (not measured): the synthetic generator fills one commune with N
beneficiaries and the payment cycle of 06/2025 is opened, so the summary,
the not-cashless sheet and the changes are read from the cycle. The measured
run is the whole job: the grouped summary, the shares, every person not paid
into an account with the reason, the verification counts, the cycle's
changes, the registration lists (two per programme) as further sheets, the
workbook in constant memory, the checksum and the stored file. Rows: the
enrolments the report counts (the cycle's payments).
"""

from __future__ import annotations

import datetime

OPERATION = "monthly_report"
SIZES = (5_000, 100_000)
PERIOD = datetime.date(2025, 6, 1)


def cases(quick: bool) -> list[dict]:
    sizes = SIZES[:1] if quick else SIZES
    return [{"size": f"{n:,} beneficiaries", "beneficiaries": n} for n in sizes]


def _commune():
    from beneficiaries.models import Commune
    from demo.synthetic import synthetic_commune_code

    return Commune.objects.get(code=synthetic_commune_code(1))


def setup(case: dict) -> None:
    from demo.synthetic import generate_synthetic
    from payments.services.cycles import open_cycle

    generate_synthetic(communes=1, beneficiaries=case["beneficiaries"], seed=7)
    open_cycle(_commune(), PERIOD)


def run(case: dict) -> int:
    from reports.reportfiles import build_monthly_report_now

    generated = build_monthly_report_now(_commune(), PERIOD)
    assert generated.status == "done", generated.error
    assert generated.parameters["cycle"] is not None
    return generated.rows
