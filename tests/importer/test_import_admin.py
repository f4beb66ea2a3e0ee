"""The admin's import/export runs the same reader, checks and writer as the officer's page."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from beneficiaries.models import ImportBatch, Person
from tests.importer.workbooks import data_row, write_workbook

pytestmark = pytest.mark.django_db

URL = "/admin/beneficiaries/beneficiary/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def staff_officer(officer):
    officer.is_staff = True
    officer.save()
    return officer


def _post_import(client, path):
    with open(path, "rb") as handle:
        upload = SimpleUploadedFile(path.name, handle.read(), content_type=XLSX)
    return client.post(URL + "import/", {"import_file": upload, "format": "0", "resource": "0"})


def test_an_admin_import_previews_then_writes_through_the_same_service(
    client, reference_data, commune, staff_officer, tmp_path
):
    path = tmp_path / "ds.xlsx"
    write_workbook(path, [data_row(), data_row(full_name="Lê Văn Hai", personal_id="038046000222")])
    client.force_login(staff_officer)
    preview = _post_import(client, path)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Lê Văn Hai" in body
    assert Person.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportBatch.Status.VALIDATED
    confirm = {
        name: value
        for name, value in re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', body)
        if name
        in {"import_file_name", "original_file_name", "format", "resource", "csrfmiddlewaretoken"}
    }
    response = client.post(URL + "process_import/", confirm)
    assert response.status_code == 302
    assert Person.objects.count() == 2
    committed = ImportBatch.objects.filter(status=ImportBatch.Status.COMMITTED).get()
    assert committed.uploaded_by == staff_officer


def test_an_admin_import_with_errors_shows_them_and_writes_nothing(
    client, reference_data, commune, staff_officer, tmp_path
):
    path = tmp_path / "loi.xlsx"
    write_workbook(path, [data_row(personal_id="038050001")])
    client.force_login(staff_officer)
    body = _post_import(client, path).content.decode()
    assert "process_import" not in body
    assert "CCCD" in body
    assert Person.objects.count() == 0


def test_the_admin_export_is_the_import_layout(
    client, reference_data, commune, staff_officer, tmp_path
):
    from desk.importer.service import create_batch, run_import

    path = tmp_path / "ds.xlsx"
    write_workbook(path, [data_row()])
    with open(path, "rb") as handle:
        run_import(
            create_batch(handle, name="ds.xlsx", commune=commune, actor=None),
            actor=None,
            commit=True,
        )
    client.force_login(staff_officer)
    response = client.post(
        URL + "export/", {"format": "0", "resource": "0", "registryresource_id": "on"}
    )
    assert response["Content-Disposition"].startswith("attachment")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]][:5] == ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD"]
    assert ws.cell(row=2, column=5).value == "038050001234"


def test_police_cannot_import_or_export_in_the_admin(client, reference_data, police):
    police.is_staff = True
    police.save()
    client.force_login(police)
    assert client.get(URL + "import/").status_code == 403
    assert client.get(URL + "export/").status_code == 403
