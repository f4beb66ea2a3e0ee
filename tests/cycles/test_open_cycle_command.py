"""``open_cycle --commune CODE --period YYYY-MM``: prints the figures, fails in Vietnamese."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from payments.models import PaymentCycle
from payments.services.cycles import approve_cycle
from tests.cycles.conftest import SEP, enrol

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("open_cycle", *args, stdout=out)
    return out.getvalue()


def test_the_command_opens_then_rebuilds_the_draft(commune, reference_data):
    enrol(commune)
    enrol(commune, amount=1_624_000)
    first = _run("--commune", "15307", "--period", "2023-09")
    again = _run("--commune", "15307", "--period", "2023-09")
    assert first.strip() == (
        "Kỳ chi trả 09/2023 — xã Yến Sơn (15307): 2 người, 3.679.000 đ (lập mới)."
    )
    assert again.strip().endswith("2 người, 3.679.000 đ (đã lập lại).")
    cycle = PaymentCycle.objects.get()
    assert (cycle.period, cycle.prepared_by) == (SEP, None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--commune", "99999", "--period", "2023-09"), "Không có xã mã 99999."),
        (("--commune", "15307", "--period", "09/2023"), "Tháng không hợp lệ: «09/2023»"),
        (("--commune", "15307", "--period", "2023-13"), "Tháng không hợp lệ"),
    ],
)
def test_an_unknown_commune_or_a_bad_month_is_an_error(commune, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not PaymentCycle.objects.exists()


def test_an_approved_cycle_is_refused_and_unchanged(commune, leader, verify_all):
    enrol(commune)
    verify_all()
    _run("--commune", "15307", "--period", "2023-09")
    cycle = approve_cycle(PaymentCycle.objects.get(), actor=leader, today=SEP)
    with pytest.raises(CommandError, match="09/2023 .*không lập lại được"):
        _run("--commune", "15307", "--period", "2023-09")
    assert PaymentCycle.objects.get().status == cycle.status == "approved"


def test_the_command_exits_non_zero_on_refusal(commune, reference_data):
    enrol(commune)
    _run("--commune", "15307", "--period", "2023-09")
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(
            ["manage.py", "open_cycle", "--commune", "15307", "--period", "2023-08"]
        )
    assert exit_info.value.code != 0
