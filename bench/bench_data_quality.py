"""``data_quality``: every finding of one commune of 5.000 and of 20.000 beneficiaries
(rows: findings reported; the synthetic data is clean, so this measures the
queries, not the formatting)."""

from __future__ import annotations

OPERATION = "data_quality (one commune)"
SIZES = (5_000, 20_000)


def cases(quick: bool) -> list[dict]:
    sizes = SIZES[:1] if quick else SIZES
    return [{"size": f"{n:,} beneficiaries", "beneficiaries": n} for n in sizes]


def setup(case: dict) -> None:
    from demo.synthetic import generate_synthetic

    generate_synthetic(communes=1, beneficiaries=case["beneficiaries"], seed=7)


def run(case: dict) -> int:
    import datetime

    from beneficiaries.models import Commune
    from registration.quality.checks import find_problems
    from registration.quality.gate import submission_blockers
    from registration.quality.scope import current_usage

    commune = Commune.objects.filter(beneficiaries__isnull=False).distinct().get()
    today = datetime.date(2025, 6, 15)
    findings = find_problems(commune, today=today)
    submission_blockers(commune, current_usage(commune), today=today)
    return len(findings)
