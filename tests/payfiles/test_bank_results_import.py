"""Importing the banks' results: every row validated first, all or nothing, idempotent."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from payments.bankfiles import BankFileExchange
from payments.models import Payment, PaymentCycle, PaymentMonth
from tests.payfiles.conftest import TODAY

pytestmark = pytest.mark.django_db

HEADER = [
    "STT", "Mã thanh toán", "Số tài khoản", "Tên chủ tài khoản", "Mã BIN ngân hàng",
    "Ngân hàng", "Số tiền (đồng)", "Nội dung chuyển khoản", "Họ tên đối tượng", "Các tháng",
    "Kết quả", "Mã giao dịch ngân hàng", "Ngày giao dịch", "Lý do không thành công",
]  # fmt: skip


def _row(payment: Payment, result="Thành công", ref="FT230915001", day="15/09/2023", reason=""):
    return [
        "1", f"ASXH{payment.pk:08d}", payment.account_number, payment.account_holder_name,
        payment.bank.bin, payment.bank.short_name, str(payment.amount), "TRO CAP", "x",
        "09/2023", result, ref, day, reason,
    ]  # fmt: skip


def _csv(rows: list[list], totals: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    if totals:
        writer.writerow(["Tổng cộng", f"{len(rows)} khoản"] + [""] * 12)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _import(data: bytes, name="ket-qua.csv", **kwargs):
    return BankFileExchange().import_results(io.BytesIO(data), filename=name, today=TODAY, **kwargs)


def _state(paying):
    return sorted(
        Payment.objects.filter(cycle=paying.cycle).values_list(
            "pk", "status", "paid_on", "reference", "failure_reason"
        )
    )


def test_a_results_file_marks_payments_paid_and_failed(paying):
    an, binh, em = (paying.payment(k) for k in ("an", "binh", "em"))
    summary = _import(
        _csv(
            [
                _row(an),
                _row(binh, "Không thành công", ref="", day="", reason="Tài khoản đã đóng"),
                _row(em, result=""),  # the bank has not answered yet
            ]
        )
    )
    assert summary.ok, [str(e) for e in summary.errors]
    assert (summary.paid, summary.paid_amount) == (1, 2_055_000)
    assert (summary.failed, summary.failed_amount) == (1, 1_500_000)
    assert (summary.changed, summary.unchanged, summary.skipped) == (2, 0, 1)
    an.refresh_from_db()
    binh.refresh_from_db()
    assert (an.status, an.paid_on, an.reference) == (
        "paid",
        datetime.date(2023, 9, 15),
        "FT230915001",
    )
    assert (binh.status, binh.failure_reason) == ("failed", "Tài khoản đã đóng")
    assert not PaymentMonth.objects.get(payment=binh).live  # owed again next month
    assert paying.payment("em").status == "pending"


def test_the_same_file_twice_changes_nothing(paying):
    data = _csv([_row(paying.payment("an")), _row(paying.payment("em"))])
    assert _import(data).changed == 2
    before = _state(paying)
    history = Payment.history.count()
    again = _import(data)
    assert (again.changed, again.unchanged) == (0, 2)
    assert "0 thay đổi" in again.lines()[0]
    assert _state(paying) == before and Payment.history.count() == history


def test_a_second_file_corrects_a_paid_row_to_failed(paying):
    an = paying.payment("an")
    _import(_csv([_row(an)]))
    summary = _import(_csv([_row(an, "Không thành công", day="", reason="Bank trả lại")]))
    assert summary.changed == 1
    an.refresh_from_db()
    assert (an.status, an.paid_on, an.failure_reason) == ("failed", None, "Bank trả lại")


def test_an_xlsx_results_file_with_the_official_layout_is_read(paying):
    an = paying.payment("an")
    workbook = Workbook()
    ws = workbook.active
    ws.append(["ỦY BAN NHÂN DÂN"])
    ws.append([])
    ws.append(HEADER)
    row = _row(an, day=None)
    row[0], row[2], row[6] = 1, an.account_number, an.amount
    row[12] = datetime.date(2023, 9, 16)  # read back as a date cell
    ws.append(row)
    ws.append(["Tổng cộng", None, None, None, None, None, an.amount])
    ws.append(["Bằng chữ: …"])
    out = io.BytesIO()
    workbook.save(out)
    summary = _import(out.getvalue(), name="ket-qua.xlsx")
    assert summary.ok and summary.paid == 1
    an.refresh_from_db()
    assert an.paid_on == datetime.date(2023, 9, 16)


def _errors(summary) -> list[tuple]:
    return [(e.row, e.column, e.value, e.message) for e in summary.errors]


def _set(row: list, **cells) -> list:
    columns = {"ref": 1, "account": 2, "amount": 6}
    for key, value in cells.items():
        row[columns[key]] = value
    return row


CASES = {
    "unknown reference": (
        lambda p: _set(_row(p["binh"]), ref="ASXH99999999"),
        "Mã thanh toán", "ASXH99999999", "Không có khoản chi trả mang mã này.",
    ),
    "malformed reference": (
        lambda p: _set(_row(p["binh"]), ref="12345"), "Mã thanh toán", "12345", "ASXH và 8 chữ số",
    ),
    "amount": (
        lambda p: _set(_row(p["binh"]), amount="1.400.000"),
        "Số tiền (đồng)", "1.400.000", "khác khoản chi trả (1.500.000 đ)",
    ),
    "unreadable amount": (
        lambda p: _set(_row(p["binh"]), amount="1,5 triệu"), "Số tiền (đồng)", "1,5 triệu",
        "Không đọc được số tiền",
    ),
    "account": (
        lambda p: _set(_row(p["binh"]), account="11000123456"), "Số tài khoản", "11000123456",
        "(0011000123456)",
    ),
    "result word": (lambda p: _row(p["binh"], result="OK"), "Kết quả", "OK", "“Thành công”"),
    "failed without reason": (
        lambda p: _row(p["binh"], "Không thành công"), "Lý do không thành công", "", "cần ghi lý do",
    ),
    "bad date": (
        lambda p: _row(p["binh"], day="31/02/2023"), "Ngày giao dịch", "31/02/2023", "dd/mm/yyyy",
    ),
    "future date": (
        lambda p: _row(p["binh"], day="21/09/2023"), "Ngày giao dịch", "21/09/2023", "sau hôm nay",
    ),
    "date before the month": (
        lambda p: _row(p["binh"], day="31/08/2023"), "Ngày giao dịch", "31/08/2023", "trước tháng",
    ),
    "paid without date": (
        lambda p: _row(p["binh"], day=""), "Ngày giao dịch", "", "cần ngày giao dịch",
    ),
    "long bank reference": (
        lambda p: _row(p["binh"], ref="F" * 101), "Mã giao dịch ngân hàng", "F" * 101,
        "Ô dài 101 ký tự, vượt giới hạn 100 ký tự.",
    ),
    "cash payment": (
        lambda p: _set(_row(p["binh"]), ref=f"ASXH{p['cuc'].pk:08d}"), "Mã thanh toán", None,
        "chi bằng tiền mặt",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_each_wrong_row_is_named_and_nothing_is_written(paying, case):
    build, column, value, message = CASES[case]
    payments = {k: paying.payment(k) for k in ("an", "binh", "cuc")}
    before = _state(paying)
    summary = _import(_csv([_row(payments["an"]), build(payments)]))
    assert len(summary.errors) == 1, [str(e) for e in summary.errors]
    row, got_column, got_value, got_message = _errors(summary)[0]
    assert (row, got_column) == (3, column)
    if value is not None:
        assert got_value == value
    assert message in got_message
    assert _state(paying) == before  # the good row (an) is not written either
    assert summary.changed == 0


def test_every_error_of_a_file_is_reported_at_once(paying):
    an, binh = paying.payment("an"), paying.payment("binh")
    summary = _import(_csv([_set(_row(an), amount="1", account="1"), _row(binh, result="?")]))
    assert [(e.row, e.column) for e in summary.errors] == [
        (2, "Số tiền (đồng)"),
        (2, "Số tài khoản"),
        (3, "Kết quả"),
    ]
    assert str(summary.errors[0]).startswith("Dòng 2, cột «Số tiền (đồng)» (giá trị «1»): ")


def test_a_duplicate_row_a_draft_cycle_and_another_commune_are_refused(paying, other_commune):
    an = paying.payment("an")
    summary = _import(_csv([_row(an), _row(an)]))
    assert _errors(summary)[0][:2] == (3, "Mã thanh toán")
    assert "trùng với dòng 2" in _errors(summary)[0][3]

    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="approved")
    summary = _import(_csv([_row(an)]))
    assert "đang “Đã phê duyệt”" in _errors(summary)[0][3]

    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="submitted")
    summary = _import(_csv([_row(an)]), commune=other_commune)
    assert "ở xã Hà Trung" in _errors(summary)[0][3]


def test_a_file_without_the_columns_or_not_a_spreadsheet_is_refused(paying):
    assert "tiêu đề" in _errors(_import(b"a,b\n1,2\n"))[0][3]
    data = _csv([_row(paying.payment("an"))]).replace("Lý do không thành công".encode(), b"Ly do")
    assert _errors(_import(data))[0][1:] == ("Lý do không thành công", "", "Thiếu cột này.")
    assert "xlsx" in _errors(_import(b"not a zip", name="x.xlsx"))[0][3]


def test_a_result_refused_by_record_result_rolls_the_whole_file_back(paying, officer, leader):
    """A failed payment whose months were paid again later cannot become paid: nothing is written."""
    from payments.services.cycles import open_cycle
    from tests.payfiles.conftest import submit

    an, em = paying.payment("an"), paying.payment("em")
    _import(_csv([_row(an, "Không thành công", day="", reason="Sai tên")]))
    submit(open_cycle(paying.cycle.commune, datetime.date(2023, 10, 1), actor=officer).cycle,
           leader)  # fmt: skip
    before = _state(paying)
    summary = _import(_csv([_row(em), _row(an)]))
    assert _errors(summary)[0][0] == 3 and "kỳ sau" in _errors(summary)[0][3]
    assert _state(paying) == before
    assert summary.changed == 0


def test_the_command_prints_the_summary_and_fails_on_errors(paying, tmp_path, capsys):
    good = tmp_path / "ket-qua.csv"
    good.write_bytes(_csv([_row(paying.payment("an"))]))
    call_command("import_bank_results", str(good), "--commune", "15307")
    out = capsys.readouterr().out
    assert "1 thay đổi" in out and "Thành công: 1 khoản, 2.055.000 đ." in out
    call_command("import_bank_results", str(good))
    assert "0 thay đổi, 1 không đổi" in capsys.readouterr().out

    bad = tmp_path / "sai.csv"
    row = _row(paying.payment("em"))
    row[6] = "1"
    bad.write_bytes(_csv([row]))
    with pytest.raises(CommandError, match="1 lỗi: không ghi kết quả nào"):
        call_command("import_bank_results", str(bad))
    assert "Dòng 2, cột «Số tiền (đồng)»" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Không có xã mã 99999"):
        call_command("import_bank_results", str(good), "--commune", "99999")
    with pytest.raises(CommandError, match="Không thấy tệp"):
        call_command("import_bank_results", str(tmp_path / "none.csv"))
