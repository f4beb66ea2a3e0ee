"""The "Thay đổi" sheet: added, removed and account changed since the last sent list."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from beneficiaries.models import Beneficiary
from documents.models import GeneratedFile
from registration.listchanges import (
    ACCOUNT_CHANGED,
    ADDED,
    REMOVED,
    ChangeTracker,
    Entry,
    SnapshotWriter,
    read_snapshot,
)
from registration.listfiles import build_registration_lists_now, mark_sent
from registration.models import PaymentMethodRegistration
from tests import workbooks as xl
from tests.confirming import approve_lists_of
from tests.factories import BankFactory, PaymentAccountFactory, RegistrationFactory
from tests.lists.data import PERIOD, TODAY, enrol

NEXT = datetime.date(2027, 2, 1)


def _entry(name: str, pk: int, account: str = "111111", receiver: str = "") -> Entry:
    return Entry(name.upper(), pk, pk, name, "", receiver, "Agribank", account)


def test_the_merge_finds_added_removed_and_changed_rows():
    before = [_entry("an", 1), _entry("binh", 2), _entry("cuc", 3)]
    now = [_entry("an", 1), _entry("binh", 2, account="222222"), _entry("dung", 4)]
    tracker = ChangeTracker(before)
    for entry in now:
        tracker.see(entry)
    changes = tracker.finish()
    assert [(c.kind, c.entry.full_name) for c in changes] == [
        (ADDED, "dung"),
        (REMOVED, "cuc"),
        (ACCOUNT_CHANGED, "binh"),
    ]
    assert changes[2].before.account == "111111"
    assert changes[2].after.account == "222222"


def test_a_renamed_person_is_not_reported_unless_the_account_changed():
    before = [_entry("an", 1), _entry("binh", 2)]
    renamed = Entry("ZBINH", 2, 2, "zbinh", "", "", "Agribank", "111111")
    tracker = ChangeTracker(before)
    for entry in (_entry("an", 1), renamed):
        tracker.see(entry)
    assert tracker.finish() == []


def test_a_new_receiver_is_an_account_change():
    tracker = ChangeTracker([_entry("an", 1, receiver="Lan")])
    tracker.see(_entry("an", 1, receiver="Hoa"))
    assert [c.kind for c in tracker.finish()] == [ACCOUNT_CHANGED]


def test_rows_out_of_order_are_refused():
    tracker = ChangeTracker([])
    tracker.see(_entry("binh", 2))
    with pytest.raises(ValueError, match="out of order"):
        tracker.see(_entry("an", 1))


def test_a_snapshot_reads_back_what_was_written():
    buffer = io.BytesIO()
    writer = SnapshotWriter(buffer)
    entries = [_entry("an\ttab", 1), _entry("bình", 2, receiver='Lê "Hoa"')]
    for entry in entries:
        writer.write(entry)
    writer.close()
    buffer.seek(0)
    assert list(read_snapshot(buffer)) == entries


def _changes_sheet(generated: GeneratedFile):
    with generated.file.open("rb") as handle:
        return load_workbook(handle)["Thay đổi"]


def _ncc_self(files) -> GeneratedFile:
    return next(
        f
        for f in files
        if f.programme.code == "NCC" and f.kind == GeneratedFile.Kind.REGISTRATION_SELF
    )


@pytest.mark.django_db
def test_next_months_list_shows_what_changed_since_the_sent_one(registered, officer):
    commune = registered["an"].beneficiary.commune
    january = _ncc_self(build_registration_lists_now(commune, PERIOD, today=TODAY))
    mark_sent(approve_lists_of(january), actor=officer)
    # February: Giang moves to a new account, An dies, Khánh registers.
    giang = registered["giang"]
    giang.registration.is_current = False
    giang.registration.save()
    new_account = PaymentAccountFactory(
        holder=giang.person, bank=BankFactory(), number="9704050000001"
    )
    RegistrationFactory(
        beneficiary=giang.beneficiary,
        from_month=NEXT,
        method=PaymentMethodRegistration.Method.ACCOUNT,
        account=new_account,
    )
    an = registered["an"].person
    an.date_of_death = datetime.date(2027, 1, 20)
    an.save()
    khanh = enrol(commune, "NCC", "Đinh Văn Khánh")

    february = _ncc_self(build_registration_lists_now(commune, NEXT, today=NEXT))

    ws = _changes_sheet(february)
    xl.assert_unsigned_heading(ws, "NHỮNG THAY ĐỔI CỦA DANH SÁCH ĐỐI TƯỢNG ĐĂNG KÝ NHẬN")
    assert "Tháng 02 năm 2027" in xl.heading_texts(ws)
    # It names the sent list it compares with: the day it was sent and its month.
    [compared] = [t for t in xl.heading_texts(ws) if t.upper().startswith("SO VỚI DANH SÁCH")]
    assert compared.upper().startswith("SO VỚI DANH SÁCH ĐÃ GỬI NGÀY ")
    assert compared.upper().endswith("(KỲ 01/2027)")
    rows = xl.table(ws)
    old_giang = giang.registration.account.number
    assert rows == [
        [1, "Thêm mới", "Đinh Văn Khánh", khanh.person.personal_id, None, None, None,
         "Agribank", khanh.registration.account.number],
        [2, "Ra khỏi danh sách", "Nguyễn Văn An", an.personal_id, None, "Agribank",
         registered["an"].registration.account.number, None, None],
        [3, "Đổi tài khoản", "Hoàng Văn Giang", giang.person.personal_id, None, "Agribank",
         old_giang, "Agribank", "9704050000001"],
    ]  # fmt: skip
    assert xl.table_cell(ws, 2, "G").number_format == "@"
    assert february.parameters["changes"] == {"added": 1, "removed": 1, "account_changed": 1}
    assert february.parameters["compared_with"] == january.pk


@pytest.mark.django_db
def test_an_unchanged_month_says_so(registered, officer):
    commune = registered["an"].beneficiary.commune
    january = _ncc_self(build_registration_lists_now(commune, PERIOD, today=TODAY))
    mark_sent(approve_lists_of(january), actor=officer)
    february = _ncc_self(build_registration_lists_now(commune, NEXT, today=NEXT))
    ws = _changes_sheet(february)
    assert xl.table_cell(ws, 0, "B").value == "Không có thay đổi"


@pytest.mark.django_db
def test_lists_built_but_not_sent_are_not_the_reference(registered, officer):
    commune = registered["an"].beneficiary.commune
    build_registration_lists_now(commune, PERIOD, today=TODAY)
    ended = registered["an"].beneficiary
    ended.status = Beneficiary.Status.SUSPENDED
    ended.save()
    february = _ncc_self(build_registration_lists_now(commune, NEXT, today=NEXT))
    ws = _changes_sheet(february)
    assert any(t.startswith("Chưa có danh sách nào đã gửi") for t in xl.heading_texts(ws))
