"""What the lists say: the receiver's CCCD, fitted columns, no suspended enrolment,
and no empty list to sign (no file, the page says so, the gate and the beat agree)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries.models import Beneficiary, Village
from documents import jobs
from documents.models import GeneratedFile
from documents.services import FileError
from documents.xlsx import fitted_width
from registration import listfiles, lists
from reports import deadlines
from tests.confirming import approve_lists_of
from tests.lists.data import PERIOD, TODAY, enrol

pytestmark = pytest.mark.django_db

SELF = GeneratedFile.Kind.REGISTRATION_SELF
REP = GeneratedFile.Kind.REGISTRATION_REPRESENTATIVE


def _table(generated: GeneratedFile, name: str = "Danh sách") -> tuple[list, list[list]]:
    """The header row (the one starting with STT) and the data rows under it."""
    with generated.file.open("rb") as handle:
        ws = load_workbook(handle)[name]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == "STT")
    data = []
    for row in rows[start + 1 :]:
        if not isinstance(row[0], int):
            break
        data.append(row)
    return rows[start], data


def _built(commune) -> dict[tuple[str, str], GeneratedFile]:
    files = listfiles.build_registration_lists_now(commune, PERIOD, today=TODAY)
    return {(f.programme.code, f.kind): f for f in files}


def test_the_representatives_list_gives_the_receivers_cccd_beside_the_receiver(registered):
    header, data = _table(_built(registered["an"].beneficiary.commune)[("NCC", REP)])
    receiver = header.index("Người nhận thay")
    assert header[receiver : receiver + 3] == [
        "Người nhận thay",
        "Số CCCD người nhận thay",
        "Quan hệ với đối tượng",
    ]
    rep = registered["binh"].registration.representative
    assert data[0][receiver : receiver + 3] == [
        rep.person.full_name,
        rep.person.personal_id,
        "Con gái (ủy quyền)",
    ]
    assert header[lists.AMOUNT_COLUMN] == "Mức trợ cấp hằng tháng (đồng)"


def test_the_own_account_list_has_no_receiver_columns(registered):
    header, _ = _table(_built(registered["an"].beneficiary.commune)[("NCC", SELF)])
    assert "Người nhận thay" not in header and "Số CCCD người nhận thay" not in header


def test_the_monthly_report_shows_the_same_representatives_columns(
    registered, signed_commune, tmp_path
):
    from reports.monthly import write_monthly_report

    path = tmp_path / "report.xlsx"
    write_monthly_report(path, commune=signed_commune, period=PERIOD, dated=TODAY)
    ws = load_workbook(path)["DS NCC nhận thay"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(row for row in rows if row[0] == "STT")
    assert header == [c.header for c in lists.COLUMNS[REP]]


def test_village_and_category_columns_fit_their_longest_name(registered, signed_commune):
    Village.objects.create(commune=signed_commune, name="Thôn Đông Thượng Hạ")
    columns = lists.list_columns(signed_commune, registered["an"].beneficiary.programme, SELF)
    village, category = columns[lists.VILLAGE_COLUMN], columns[lists.CATEGORY_COLUMN]
    assert (village.header, category.header) == ("Thôn", "Diện đối tượng")
    assert village.width == fitted_width(len("Thôn Đông Thượng Hạ"), "Thôn", cap=lists.VILLAGE_CAP)
    longest = max(
        len(c.short_name) for c in registered["an"].beneficiary.programme.categories.all()
    )
    assert category.width == fitted_width(longest, "Diện đối tượng", cap=lists.CATEGORY_CAP)
    # A very long village name wraps inside the cap rather than widening the page.
    Village.objects.create(commune=signed_commune, name="Thôn " + "Rất Dài " * 11)
    columns = lists.list_columns(signed_commune, registered["an"].beneficiary.programme, SELF)
    assert columns[lists.VILLAGE_COLUMN].width == lists.VILLAGE_CAP


def _suspend(enrolled) -> None:
    beneficiary = enrolled.beneficiary
    beneficiary.status = Beneficiary.Status.SUSPENDED
    beneficiary.save()


def test_a_suspended_enrolment_is_on_no_list_and_in_no_total(registered, signed_commune):
    _suspend(registered["an"])
    ncc = registered["an"].beneficiary.programme
    names = [b.person.full_name for b in lists.list_enrolments(signed_commune, ncc, SELF, PERIOD)]
    assert names == ["Hoàng Văn Giang"]
    ncc_self = _built(signed_commune)[("NCC", SELF)]
    assert (ncc_self.rows, ncc_self.total_amount) == (1, 1_000_000)
    _, data = _table(ncc_self)
    assert [row[1] for row in data] == ["Hoàng Văn Giang"]


def test_suspending_makes_a_built_list_stale(registered, signed_commune, officer):
    ncc_self = _built(signed_commune)[("NCC", SELF)]
    approve_lists_of(ncc_self)
    _suspend(registered["an"])
    with pytest.raises(FileError, match="Dữ liệu đã thay đổi"):
        listfiles.mark_sent(ncc_self, actor=officer)


def test_a_suspended_enrolment_leaves_the_changes_sheet(registered, signed_commune, officer):
    listfiles.mark_sent(approve_lists_of(_built(signed_commune)[("NCC", SELF)]), actor=officer)
    _suspend(registered["an"])
    _, changes = _table(_built(signed_commune)[("NCC", SELF)], "Thay đổi")
    assert [(row[1], row[2]) for row in changes] == [("Ra khỏi danh sách", "Nguyễn Văn An")]


def test_the_payment_cycle_keeps_its_own_suspension_rule():
    """The cycle's SQL does not read the lists' rule: it has its own (unchanged)."""
    from pathlib import Path

    source = Path("payments/services/cycles.py").read_text()
    assert "b.status <> 'suspended'" in source
    assert "list_enrolments" not in source


def test_no_file_is_made_for_a_list_nobody_is_on(registered, signed_commune):
    files = _built(signed_commune)
    assert set(files) == {("NCC", SELF), ("NCC", REP), ("BTXH", SELF)}
    assert all(f.rows for f in files.values())
    assert [(p.code, k) for p, k in listfiles.empty_lists(signed_commune, PERIOD)] == [
        ("BTXH", REP),
        ("HTXH", SELF),
        ("HTXH", REP),
    ]


def test_a_double_request_still_gets_the_running_jobs(
    registered, signed_commune, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first = listfiles.request_registration_lists(signed_commune, PERIOD, actor=officer)
        second = listfiles.request_registration_lists(signed_commune, PERIOD, actor=officer)
    assert [f.pk for f in first] == [f.pk for f in second]
    assert len(first) == len(queued) == GeneratedFile.objects.count() == 3


def test_the_monthly_beat_is_idempotent_with_empty_lists(
    registered, signed_commune, other_commune, django_capture_on_commit_callbacks
):
    march = datetime.date(2027, 3, 1)
    with django_capture_on_commit_callbacks() as queued:
        assert listfiles.request_monthly_lists(today=march) == 3
        assert listfiles.request_monthly_lists(today=march) == 0  # a redelivered message
    assert len(queued) == 3
    # The other commune has nobody on any list: no record, on either run.
    assert not GeneratedFile.objects.filter(commune=other_commune).exists()


def test_a_list_emptied_between_request_and_build_is_not_written(
    registered, signed_commune, officer
):
    requested = listfiles.request_registration_lists(
        signed_commune, PERIOD, actor=officer, queue=False
    )
    representatives = next(f for f in requested if f.kind == REP)
    _suspend(registered["binh"])
    assert jobs.build_generated_file(representatives.pk, today=TODAY) is None
    representatives.refresh_from_db()
    assert representatives.status == GeneratedFile.Status.FAILED
    assert representatives.error == "Không có đối tượng nào trong danh sách tháng 01/2027"
    assert not representatives.file


def test_the_page_says_which_lists_are_empty(client, officer, registered, signed_commune):
    _built(signed_commune)
    client.force_login(officer)
    html = client.get(
        reverse("registration_lists"), {"xa": signed_commune.pk, "thang": "2027-01"}
    ).content.decode()
    assert html.count('data-testid="generated-file"') == 3
    assert html.count('data-testid="empty-list"') == 3
    assert html.count("Không có đối tượng nào trong danh sách tháng 01/2027") == 3


def test_the_build_button_on_an_empty_month_says_so(client, officer, signed_commune):
    client.force_login(officer)
    response = client.post(
        reverse("registration_lists_build"), {"xa": signed_commune.pk, "thang": "2027-01"}
    )
    assert response.status_code == 302
    assert not GeneratedFile.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Không có đối tượng nào trong danh sách tháng 01/2027." in page


def test_the_command_prints_the_empty_lists(registered, tmp_path, capsys):
    from django.core.management import call_command

    call_command(
        "build_registration_lists", "--commune", "15307", "--month", "2027-01", "--out", tmp_path
    )
    out = capsys.readouterr().out
    assert len(list(tmp_path.iterdir())) == 3
    assert "Không có đối tượng nào trong danh sách tháng 01/2027" in out
    assert out.count("Không có đối tượng nào") == 3


def test_a_reminder_waits_only_for_the_lists_somebody_is_on(registered, signed_commune, officer):
    files = _built(signed_commune)
    btxh = files[("BTXH", SELF)].programme
    assert not deadlines._lists_sent(signed_commune, btxh, PERIOD)
    listfiles.mark_sent(approve_lists_of(files[("BTXH", SELF)]), actor=officer)
    # BTXH's representatives' list is empty: nothing else to send.
    assert deadlines._lists_sent(signed_commune, btxh, PERIOD)


def test_the_monthly_report_has_no_sheet_for_an_empty_list(registered, signed_commune, tmp_path):
    from reports.monthly import write_monthly_report

    path = tmp_path / "report.xlsx"
    write_monthly_report(path, commune=signed_commune, period=PERIOD, dated=TODAY)
    names = load_workbook(path).sheetnames
    assert [n for n in names if n.startswith("DS ")] == [
        "DS NCC tự nhận",
        "DS NCC nhận thay",
        "DS BTXH tự nhận",
    ]


def test_a_list_is_made_once_somebody_is_on_it(signed_commune, reference_data):
    """A person added after the month's request appears in the next request."""
    assert listfiles.request_registration_lists(signed_commune, PERIOD, actor=None) == []
    enrol(signed_commune, "NCC", "Đinh Văn Mới")
    requested = listfiles.request_registration_lists(
        signed_commune, PERIOD, actor=None, queue=False
    )
    assert [(f.programme.code, f.kind) for f in requested] == [("NCC", SELF)]
