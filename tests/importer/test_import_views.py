"""The officer's import pages: upload, preview, confirm once, downloads, access."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries.models import ImportBatch, Person
from tests.importer.workbooks import account_row, data_row, write_workbook

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Post a workbook and run the task queued on commit (eager Celery)."""

    def post(path, commune, name=None):
        with open(path, "rb") as handle:
            data = SimpleUploadedFile(name or path.name, handle.read(), content_type=XLSX)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("import_upload"), {"file": data, "commune": commune.pk})

    return post


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "ds.xlsx"
    write_workbook(
        path,
        [
            data_row(),
            account_row(
                full_name="Lê Văn Bình",
                personal_id="038046000777",
                account_number="3508205000777",
                account_holder="LE VAN BINH",
            ),
        ],
    )
    return path


def test_upload_validates_and_shows_a_preview_without_writing(
    upload, client, reference_data, commune, officer, workbook
):
    client.force_login(officer)
    response = upload(workbook, commune)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import_detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.VALIDATED  # eager Celery in tests
    assert batch.uploaded_by == officer
    page = client.get(response.url)
    body = page.content.decode()
    assert "Xác nhận ghi 2 dòng vào sổ" in body
    assert "Lê Văn Bình" in body
    assert Person.objects.count() == 0


def test_confirming_writes_and_a_second_confirm_is_refused(
    upload, django_capture_on_commit_callbacks, client, reference_data, commune, officer, workbook
):
    client.force_login(officer)
    upload(workbook, commune)
    batch = ImportBatch.objects.get()
    url = reverse("import_confirm", args=[batch.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Person.objects.count() == 2
    response = client.post(url, follow=True)
    assert "không thể xác nhận ghi" in response.content.decode()
    assert Person.objects.count() == 2


def test_a_failed_import_is_read_again_and_a_live_one_is_not_retried(
    upload, django_capture_on_commit_callbacks, client, reference_data, commune, officer, workbook
):
    client.force_login(officer)
    upload(workbook, commune)
    batch = ImportBatch.objects.get()
    url = reverse("import_retry", args=[batch.pk])

    # A validated import is not failed: retrying it is refused and changes nothing.
    response = client.post(url, follow=True)
    assert "chỉ thử lại được lần nhập bị lỗi" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED

    # A worker died while reading: the officer retries and the file is read again.
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED, failure="worker lost", progress=100
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.url == reverse("import_detail", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.failure) == (ImportBatch.Status.VALIDATED, "")
    assert Person.objects.count() == 0


def test_a_file_with_errors_shows_them_and_offers_the_error_file(
    upload, client, reference_data, commune, officer, tmp_path
):
    path = tmp_path / "loi.xlsx"
    write_workbook(path, [data_row(), data_row(personal_id="0380500012", full_name="Phạm Lỗi")])
    client.force_login(officer)
    upload(path, commune)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    body = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "chưa ghi gì" in body
    assert "row-error" in body
    assert "Xác nhận ghi" not in body
    download = client.get(reverse("import_error_file", args=[batch.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert any("12 chữ số" in str(cell.value or "") for row in ws.iter_rows() for cell in row)
    assert client.post(reverse("import_confirm", args=[batch.pk])).status_code == 302
    assert Person.objects.count() == 0


def test_a_file_that_is_not_xlsx_is_refused_with_a_message(
    client, reference_data, commune, officer
):
    client.force_login(officer)
    upload = SimpleUploadedFile("ds.csv", b"a,b,c\n1,2,3\n", content_type="text/csv")
    response = client.post(reverse("import_upload"), {"file": upload, "commune": commune.pk})
    assert response.status_code == 200
    assert "Chỉ nhận tệp Excel .xlsx" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_renamed_file_is_recorded_and_explained(
    upload, client, reference_data, commune, officer, tmp_path
):
    client.force_login(officer)
    fake = tmp_path / "ds.xlsx"
    fake.write_bytes(b"this is not a spreadsheet")
    upload(fake, commune)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.issues[0]["message"]
    assert (
        "xlsx" in batch.issues[0]["message"].lower()
        or "excel" in batch.issues[0]["message"].lower()
    )


def test_a_file_over_the_limit_is_refused_before_reading(
    client, reference_data, commune, officer, settings
):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    client.force_login(officer)
    upload = SimpleUploadedFile("lon.xlsx", b"0" * (1024 * 1024 + 1), content_type=XLSX)
    response = client.post(reverse("import_upload"), {"file": upload, "commune": commune.pk})
    assert "lớn hơn giới hạn 1 MB" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_progress_is_served_as_json(upload, client, reference_data, commune, officer, workbook):
    client.force_login(officer)
    upload(workbook, commune)
    batch = ImportBatch.objects.get()
    data = client.get(reverse("import_progress", args=[batch.pk])).json()
    assert data == {"status": "validated", "label": "Đã kiểm tra, chờ xác nhận", "progress": 100}


@pytest.mark.parametrize("name", ["accountant", "leader", "police", "post_office", "district"])
def test_only_the_labour_officer_may_import(client, reference_data, commune, name, request):
    client.force_login(request.getfixturevalue(name))
    assert client.get(reverse("import_upload")).status_code == 403
    assert client.get(reverse("import_template")).status_code == 403


def test_another_communes_import_does_not_exist_for_the_officer(
    upload, client, reference_data, commune, officer, other_officer, other_commune, workbook
):
    client.force_login(other_officer)
    upload(workbook, other_commune)
    batch = ImportBatch.objects.get()
    client.force_login(officer)
    for name in ("import_detail", "import_progress", "import_error_file"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("import_confirm", args=[batch.pk])).status_code == 404


def test_the_template_has_instructions_and_drop_downs(client, reference_data, officer):
    client.force_login(officer)
    response = client.get(reverse("import_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn", "Danh mục"]
    data = workbook["Danh sách"]
    headers = [c.value for c in data[1]]
    assert headers[:5] == ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD"]
    sources = {dv.formula1 for dv in data.data_validations.dataValidation}
    assert "'Danh mục'!$A$2:$A$3" in sources
    assert workbook["Danh mục"].sheet_state == "hidden"
    assert "Agribank" in [c.value for c in workbook["Danh mục"]["F"]]


def test_the_registry_export_is_for_money_roles(
    client, reference_data, commune, accountant, police
):
    client.force_login(accountant)
    response = client.get(reverse("registry_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        "-15307-" + response["Content-Disposition"].split("-15307-")[1]
    )
    client.force_login(police)
    assert client.get(reverse("registry_export")).status_code == 403


def test_the_import_page_names_the_checksum_in_plain_vietnamese(
    upload, client, reference_data, commune, officer, workbook
):
    client.force_login(officer)
    upload(workbook, commune)
    batch = ImportBatch.objects.get()

    body = client.get(reverse("import_detail", args=[batch.pk])).content.decode()

    assert "SHA-256" not in body
    assert "<dt>Mã kiểm tra tệp</dt>" in body
    assert 'data-testid="checksum" title="Dãy ký tự tính từ nội dung tệp' in body
    assert batch.checksum[:10] in body


def test_the_admin_names_checksums_in_plain_vietnamese():
    from documents.models import GeneratedFile

    for model in (ImportBatch, GeneratedFile):
        field = model._meta.get_field("checksum")
        assert str(field.verbose_name) == "mã kiểm tra tệp"
        assert "SHA" not in str(field.help_text)
