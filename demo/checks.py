"""The demo's payment checks: last month's closed cycle sampled, a few people asked.

Deterministic and demo only: the seed is made from the commune's code and the
month, the answers go down the sample in order — three confirmed, one could
not be reached, one not received (an open case) — and their stamps are moved
back to the 22nd of the month, after the books were closed on the 20th.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from beneficiaries.models import Commune
from demo.payments import moment
from payments.checks import draw_sample, record_check
from payments.models import PaymentCase, PaymentCheck, PaymentCheckSample, PaymentCycle

ANSWERS = (
    (PaymentCheck.Outcome.CONFIRMED, "Đã nhận đủ, cảm ơn cán bộ"),
    (PaymentCheck.Outcome.CONFIRMED, ""),
    (PaymentCheck.Outcome.CONFIRMED, ""),
    (PaymentCheck.Outcome.UNREACHABLE, "Gọi hai lần không nghe máy"),
    (PaymentCheck.Outcome.NOT_RECEIVED, "Nói chưa thấy tiền về tài khoản"),
)


def check_month(
    commune: Commune, month: datetime.date, *, officer: User
) -> PaymentCheckSample | None:
    """Sample the commune's closed cycle of ``month`` once and record the answers."""
    cycle = PaymentCycle.objects.filter(
        commune=commune, period=month, status=PaymentCycle.Status.CLOSED
    ).first()
    if cycle is None or PaymentCheckSample.objects.filter(cycle=cycle).exists():
        return None
    sample = draw_sample(cycle, actor=officer, seed=int(f"{commune.code}{month:%Y%m}"))
    checks = list(sample.checks.order_by("pk")[: len(ANSWERS)])
    for check, (outcome, note) in zip(checks, ANSWERS, strict=False):
        record_check(check, outcome=outcome, note=note, actor=officer)
    asked = moment(month.replace(day=22), 10)
    PaymentCheckSample.objects.filter(pk=sample.pk).update(
        drawn_at=moment(month.replace(day=22), 8)
    )
    PaymentCheck.objects.filter(sample=sample).exclude(outcome="pending").update(recorded_at=asked)
    PaymentCase.objects.filter(opened_from__sample=sample).update(opened_at=asked)
    return sample
