"""``enter_base_level``: the preview without ``--yes`` writes nothing; with it, the level."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from amounts.models import AllowanceRate, Entitlement
from tests.levels.conftest import JUL

pytestmark = pytest.mark.django_db

ARGS = ["--programme", "BTXH", "--amount", "540000", "--from", "2026-07"]
BASIS = ["--basis", "Nghị định 335/2026/NĐ-CP"]


def run(*args) -> str:
    out = io.StringIO()
    call_command("enter_base_level", *args, stdout=out)
    return out.getvalue()


def test_without_yes_it_prints_the_preview_and_writes_nothing(world):
    rows, history = Entitlement.objects.count(), AllowanceRate.history.count()
    text = run(*ARGS, *BASIS)
    assert "Mức chuẩn Bảo trợ xã hội 540.000 đ từ 07/2026 (Nghị định 335/2026/NĐ-CP)." in text
    assert "Mức đã có cho tháng này: 540.000 đ (chưa kiểm chứng)." in text
    assert "Số đối tượng được tính lại: 3." in text
    assert "Chênh lệch mỗi tháng: 200.000 đ." in text
    assert "Truy lĩnh các tháng đã chi: 2 người, 280.000 đ." in text
    assert "Thu hồi các tháng đã chi cao hơn mức mới: 0 người, 0 đ." in text
    assert "Cần lập lại kỳ chi trả: Yến Sơn 10/2026 (Dự thảo)." in text
    assert "Chưa ghi gì." in text
    assert (Entitlement.objects.count(), AllowanceRate.history.count()) == (rows, history)
    assert not AllowanceRate.objects.get(programme__code="BTXH", applies_from=JUL).verified


def test_a_lower_level_prints_the_recoveries(world):
    text = run("--programme", "BTXH", "--amount", "480.000", "--from", "2026-07", *BASIS)
    assert "Thu hồi các tháng đã chi cao hơn mức mới: 2 người, 140.000 đ." in text


def test_with_yes_it_enters_the_level_as_the_system_once(world):
    text = run(*ARGS, *BASIS, "--yes")
    assert "Đã ghi mức chuẩn: 3 mức hưởng mới, 0 mức hưởng sửa số tiền." in text
    rate = AllowanceRate.objects.get(programme__code="BTXH", applies_from=JUL)
    assert (rate.verified, rate.verified_by) == (True, None)
    assert rate.verified_at is not None
    again = run(*ARGS, *BASIS, "--yes")
    assert "không có gì thay đổi" in again
    assert "Số đối tượng được tính lại: 0." in again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--programme", "XYZ", "--amount", "1", "--from", "2026-07"],
            "Không có chương trình mã XYZ.",
        ),
        (
            ["--programme", "BTXH", "--amount", "5 triệu", "--from", "2026-07"],
            "Không đọc được số tiền",
        ),
        (["--programme", "BTXH", "--amount", "0", "--from", "2026-07"], "lớn hơn 0 đồng"),
        (
            ["--programme", "BTXH", "--amount", "1", "--from", "07/2026"],
            "Tháng áp dụng không hợp lệ",
        ),
    ],
)
def test_a_bad_option_is_a_clear_error(world, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, *BASIS)
