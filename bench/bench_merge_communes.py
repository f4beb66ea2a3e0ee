"""Merging communes: one synthetic commune of N enrolments merged into Xã Hà Trung
(every row moved with its history row, one period row per enrolment), then the
new commune's first cycle (every month read through the merger's history).

Set-up (not measured): the synthetic commune and its closed cycle of 05/2025;
for the cycle case, the merger on 01/06/2025 too."""

from __future__ import annotations

OPERATION = "merge_communes"
SIZES = (25_000, 250_000)


def cases(quick: bool) -> list[dict]:
    sizes = SIZES[:1] if quick else SIZES
    return [
        {"size": f"{n:,} enrolments{', first cycle' if cycle else ''}", "n": n, "cycle": cycle}
        for n in sizes
        for cycle in (False, True)
    ]


def _merge() -> int:
    import datetime

    from beneficiaries.models import Commune
    from desk.merger import merge_communes

    old = Commune.objects.filter(beneficiaries__isnull=False).distinct().get()
    result = merge_communes(
        into_code="15271", name="Hà Trung", from_codes=[old.code], on=datetime.date(2025, 6, 1)
    )
    return result.preview.old[0].enrolments


def setup(case: dict) -> None:
    import datetime

    from django.contrib.auth import get_user_model

    from beneficiaries.models import Commune
    from demo.synthetic import generate_synthetic
    from payments.models import PaymentCycle
    from payments.services.cycles import open_cycle

    generate_synthetic(communes=1, beneficiaries=case["n"], seed=11)
    commune = Commune.objects.filter(beneficiaries__isnull=False).distinct().get()
    cycle = open_cycle(commune, datetime.date(2025, 5, 1)).cycle
    leader, _ = get_user_model().objects.get_or_create(username="bench-leader")
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="closed", approved_by=leader)
    if case["cycle"]:
        _merge()


def run(case: dict) -> int:
    import datetime

    from beneficiaries.models import Commune
    from payments.services.cycles import open_cycle

    if not case["cycle"]:
        return _merge()
    new = Commune.objects.get(code="15271")
    return open_cycle(new, datetime.date(2025, 6, 1)).cycle.payment_count
