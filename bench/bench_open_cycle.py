"""``open_cycle``: one commune's monthly cycle for 25,000 and 250,000 enrolments
(rows: payments created; each with its month line and its history row), then
rebuilding the same draft (deletes and re-creates everything), and a commune's
13th cycle after twelve sent ones: the build first checks every month paid
since against what is owed (recoveries), then deducts the open recoveries."""

from __future__ import annotations

OPERATION = "open_cycle"
SIZES = (25_000, 250_000)


def cases(quick: bool) -> list[dict]:
    sizes = SIZES[:1] if quick else SIZES
    return [
        {"size": f"{n:,} enrolments{', rebuild' if rebuild else ''}", "n": n, "rebuild": rebuild}
        for n in sizes
        for rebuild in (False, True)
    ] + [
        {
            "size": f"{SIZES[0]:,} enrolments, 13th month{label}",
            "n": SIZES[0],
            "rebuild": False,
            "history": 12,
            "detect": detect,
        }
        # The baseline: the same build without looking for recoveries first.
        for detect, label in ((True, ""), (False, ", recoveries not sought"))
    ]


def setup(case: dict) -> None:
    import datetime

    from beneficiaries.models import Commune
    from demo.synthetic import generate_synthetic
    from payments.services.cycles import open_cycle

    generate_synthetic(communes=1, beneficiaries=case["n"], seed=11)
    if case.get("history"):
        from django.contrib.auth import get_user_model

        from payments.models import PaymentCycle

        leader = get_user_model().objects.create(username="bench-leader")
        commune = Commune.objects.filter(beneficiaries__isnull=False).distinct().get()
        for index in range(case["history"]):
            month = datetime.date(2024 + (5 + index) // 12, (5 + index) % 12 + 1, 1)
            cycle = open_cycle(commune, month).cycle
            PaymentCycle.objects.filter(pk=cycle.pk).update(status="closed", approved_by=leader)
    if case["rebuild"]:
        commune = Commune.objects.filter(beneficiaries__isnull=False).distinct().get()
        open_cycle(commune, datetime.date(2025, 6, 1))


def run(case: dict) -> int:
    import datetime

    from beneficiaries.models import Commune
    from payments.services.cycles import open_cycle

    commune = Commune.objects.filter(beneficiaries__isnull=False).distinct().get()
    if not case.get("detect", True):
        from payments.services import cycles

        cycles.detect_recoveries = lambda *args, **kwargs: None  # this process only
    return open_cycle(commune, datetime.date(2025, 6, 1)).cycle.payment_count
