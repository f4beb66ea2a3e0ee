import datetime

import pytest

from tests.print.printed import print_documents

JUNE = datetime.date(2025, 6, 1)
MAY = datetime.date(2025, 5, 1)


def with_recoveries(commune):
    """Lower amounts back-dated to May (closed) for three people paid then, and June's
    draft rebuilt: it deducts the recoveries — part of a transfer at the bank with
    the most transfers, part of a cash payment, and the whole of another (settled) —
    so the bank list, the cash list and the report print their deduction columns and
    the report its *Thu hồi* annex."""
    from django.db.models import Count

    from amounts.models import Entitlement
    from payments.models import Payment, PaymentCycle
    from payments.services.cycles import open_cycle

    may = PaymentCycle.objects.get(commune=commune, period=MAY)
    june = PaymentCycle.objects.get(commune=commune, period=JUNE)
    bank = (
        june.payments.filter(method=Payment.Method.ACCOUNT)
        .values("bank_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "bank_id")
        .first()["bank_id"]
    )
    paid = may.payments.filter(
        status=Payment.Status.PAID,
        beneficiary__in=june.payments.values("beneficiary"),
        months__month=MAY,
    ).order_by("pk")
    transfer = paid.filter(method=Payment.Method.ACCOUNT, bank_id=bank).first()
    partly, whole = paid.filter(method=Payment.Method.CASH)[:2]
    for payment, lower in ((transfer, 150_000), (partly, 200_000), (whole, None)):
        owed = Entitlement.objects.filter(
            beneficiary=payment.beneficiary, from_month__lte=MAY
        ).latest("from_month")
        Entitlement.objects.update_or_create(
            beneficiary=payment.beneficiary,
            from_month=MAY,
            defaults={
                "basis": Entitlement.Basis.FIXED,
                "coefficient": None,
                # The settled one: owed 100.000 from May, far less than it was paid then.
                "amount": owed.amount - lower if lower else 100_000,
            },
        )
    open_cycle(commune, JUNE)
    return commune


@pytest.fixture(scope="module")
def demo_printed(django_db_setup, django_db_blocker, tmp_path_factory):
    """Yến Sơn's documents of 06/2025, its last month before the merger, printed once
    for the module (the demo seeded as it stood then: five months closed, June a draft,
    rebuilt after lower amounts back-dated to May: it deducts three recoveries)."""
    from demo.seed import seed_demo

    with django_db_blocker.unblock():
        return print_documents(
            lambda: with_recoveries(seed_demo(as_of=JUNE.replace(day=15)).commune),
            JUNE,
            tmp_path_factory.mktemp("documents"),
        )
