"""The registration lists of one commune: every list (two per programme) as .xlsx.

Set-up (not measured): the synthetic generator fills one commune with N
beneficiaries (about 55 % of them registered into an account, so on a list).
The measured run is what the job does for each list: the count for the
progress bar, the streamed query, the workbook in constant memory, the
snapshot for next month, the checksum, the stored file.

The ``+ changes`` case first builds and sends the previous month's lists in
the set-up, so the run also merges the sent snapshot into a changes sheet.
Memory should not grow with N (the series 10k / 50k / 100k shows it).
"""

from __future__ import annotations

import datetime

OPERATION = "registration_lists"
SIZES = (10_000, 50_000, 100_000)
# About 55 % of beneficiaries are on a list: 200,000 give about 112,000 rows (the 100,000-row target).
LARGE = 200_000
PERIOD = datetime.date(2025, 6, 1)
PREVIOUS = datetime.date(2025, 5, 1)


def cases(quick: bool) -> list[dict]:
    sizes = SIZES[:1] if quick else SIZES
    plain = [{"size": f"{n:,} beneficiaries", "beneficiaries": n, "changes": False} for n in sizes]
    with_changes = [
        {"size": f"{n:,} beneficiaries + changes", "beneficiaries": n, "changes": True}
        for n in sizes[-1:]
    ]
    large = (
        []
        if quick
        else [
            {"size": f"{LARGE:,} beneficiaries + changes", "beneficiaries": LARGE, "changes": True}
        ]
    )
    return plain + with_changes + large


def _commune():
    from beneficiaries.models import Commune
    from demo.synthetic import synthetic_commune_code

    return Commune.objects.get(code=synthetic_commune_code(1))


def setup(case: dict) -> None:
    from demo.synthetic import generate_synthetic
    from documents.services import mark_sent
    from registration.listfiles import build_registration_lists_now

    generate_synthetic(communes=1, beneficiaries=case["beneficiaries"], seed=7)
    if case["changes"]:
        # Set-up only: last month's lists count as sent. The synthetic people were
        # never checked by the police, so sending through the lists' mark_sent (the
        # gate) is refused: they are recorded sent without it. What is measured is
        # building this month's lists and changes.
        for generated in build_registration_lists_now(_commune(), PREVIOUS):
            mark_sent(generated, actor=None)


def run(case: dict) -> int:
    from registration.listfiles import build_registration_lists_now

    files = build_registration_lists_now(_commune(), PERIOD)
    assert all(f.status == "done" for f in files), [f.error for f in files]
    return sum(f.rows for f in files)
