"""``export_bank_file``: the files into a folder, figures printed, Vietnamese errors."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from payments.models import PaymentCycle

pytestmark = pytest.mark.django_db


def test_the_command_writes_the_files_and_prints_rows_and_totals(paying, tmp_path, capsys):
    call_command("export_bank_file", "--commune", "15307", "--period", "2023-09", "--out",
                 str(tmp_path))  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "ck-970405-agribank-15307-2023-09.xlsx\t2 dòng\t2.555.000 đ",
        "ck-970405-agribank-15307-2023-09.csv\t2 dòng\t2.555.000 đ",
        "ck-970436-vietcombank-15307-2023-09.xlsx\t1 dòng\t1.500.000 đ",
        "ck-970436-vietcombank-15307-2023-09.csv\t1 dòng\t1.500.000 đ",
        "thay-doi-15307-2023-09.xlsx\t5 thay đổi so với kỳ trước",
        "chi-tra-buu-dien-15307-2023-09.xlsx — Tiền mặt tại điểm\t1 dòng\t2.000.000 đ",
        "chi-tra-buu-dien-15307-2023-09.xlsx — Chi trả tại nhà\t1 dòng\t750.000 đ",
        "Tổng kỳ 09/2023: 5 khoản, 6.805.000 đ = ngân hàng 4.055.000 đ + tiền mặt 2.000.000 đ"
        " + tại nhà 750.000 đ",
    ]
    assert len(list(tmp_path.iterdir())) == 6


@pytest.mark.parametrize(
    ("code", "period", "message"),
    [
        ("99999", "2023-09", "Không có xã mã 99999."),
        ("15307", "2023-13", "Kỳ không hợp lệ"),
        ("15307", "2024-01", "chưa có kỳ chi trả tháng 01/2024"),
    ],
)
def test_the_command_refuses_unknown_commune_period_or_cycle(paying, tmp_path, code, period,
                                                            message):  # fmt: skip
    with pytest.raises(CommandError, match=message):
        call_command("export_bank_file", "--commune", code, "--period", period, "--out",
                     str(tmp_path))  # fmt: skip


def test_the_command_refuses_a_draft_cycle(paying, tmp_path):
    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="draft")
    with pytest.raises(CommandError, match="đang “Dự thảo”: chỉ lập tệp chi trả khi kỳ đã được"):
        call_command("export_bank_file", "--commune", "15307", "--period", "2023-09", "--out",
                     str(tmp_path))  # fmt: skip
    assert list(tmp_path.iterdir()) == []
