"""The cycle's files as generated files: requested, built by the job, downloaded (logged)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries.models import Programme
from documents.models import Event, GeneratedFile
from payments.bankexport import ExportError
from payments.cyclefiles import request_cycle_files
from payments.models import PaymentCycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(paying, officer, django_capture_on_commit_callbacks):
    """Both files, built by the (eager) job queued on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        files = request_cycle_files(paying.cycle, actor=officer)
    return {f.kind: GeneratedFile.objects.get(pk=f.pk) for f in files}


def test_requesting_builds_a_zip_of_bank_files_and_the_post_office_workbook(built, paying):
    bank = built[GeneratedFile.Kind.BANK_FILES]
    cash = built[GeneratedFile.Kind.POST_OFFICE_LISTS]
    assert bank.status == cash.status == GeneratedFile.Status.DONE
    assert (bank.rows, bank.total_amount) == (3, 4_055_000)
    assert (cash.rows, cash.total_amount) == (2, 2_750_000)
    assert bank.total_amount + cash.total_amount == paying.cycle.total_amount
    assert bank.parameters["cycle"] == paying.cycle.pk
    assert [p["total"] for p in cash.parameters["parts"]] == [2_000_000, 750_000]
    with bank.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert sorted(names) == [
        "ck-970405-agribank-15307-2023-09.csv",
        "ck-970405-agribank-15307-2023-09.xlsx",
        "ck-970436-vietcombank-15307-2023-09.csv",
        "ck-970436-vietcombank-15307-2023-09.xlsx",
        "thay-doi-15307-2023-09.xlsx",
    ]
    with cash.file.open("rb") as handle:
        assert load_workbook(handle).sheetnames == [
            "Tiền mặt tại điểm", "Chi trả tại nhà", "Thay đổi"
        ]  # fmt: skip


def test_a_double_request_while_queued_builds_nothing_twice(paying, officer):
    first = request_cycle_files(paying.cycle, actor=officer, queue=False)
    second = request_cycle_files(paying.cycle, actor=officer, queue=False)
    assert [f.pk for f in first] == [f.pk for f in second]
    assert GeneratedFile.objects.count() == 2


def test_only_an_approved_cycle_and_the_officer_or_accountant_may_request(
    paying, officer, accountant, leader, post_office
):
    request_cycle_files(paying.cycle, actor=accountant, queue=False)
    for user in (leader, post_office):
        with pytest.raises(PermissionDenied):
            request_cycle_files(paying.cycle, actor=user, queue=False)
    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="draft")
    with pytest.raises(ExportError):
        request_cycle_files(paying.cycle, actor=officer, queue=False)


def _download(client, user, generated):
    client.force_login(user)
    return client.get(reverse("generated_file_download", args=[generated.pk]))


def test_the_download_is_logged(client, built, accountant):
    bank = built[GeneratedFile.Kind.BANK_FILES]
    response = _download(client, accountant, bank)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "chi-tra-ngan-hang-15307-2023-09.zip" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"PK")
    event = Event.objects.get()
    assert (event.kind, event.actor, event.generated_file) == ("file_downloaded", accountant, bank)


@pytest.mark.parametrize(
    ("role", "bank_status", "cash_status"),
    [
        ("officer", 200, 200),
        ("accountant", 200, 200),
        ("leader", 200, 200),
        ("district", 200, 200),
        ("post_office", 403, 200),
        ("police", 403, 403),
        ("other_officer", 404, 404),
    ],
)
def test_who_downloads_which_file(client, built, request, role, bank_status, cash_status):
    user = request.getfixturevalue(role)
    assert _download(client, user, built[GeneratedFile.Kind.BANK_FILES]).status_code == bank_status
    cash = built[GeneratedFile.Kind.POST_OFFICE_LISTS]
    assert _download(client, user, cash).status_code == cash_status


def test_district_and_post_office_see_files_only_once_the_cycle_was_submitted(
    client, built, paying, district, post_office, officer
):
    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="approved")
    cash = built[GeneratedFile.Kind.POST_OFFICE_LISTS]
    assert _download(client, district, cash).status_code == 404
    assert _download(client, post_office, cash).status_code == 404
    assert _download(client, officer, cash).status_code == 200


def test_the_one_download_link_keeps_each_kinds_rules(client, built, post_office, accountant):
    """Lists, reports and a cycle's files share one download link: each kind keeps its
    own rules on it. The accountant gets the bank file; the post office, served its
    cash list by the same link, gets neither the bank file nor a registration list."""
    bank = built[GeneratedFile.Kind.BANK_FILES]
    cash = built[GeneratedFile.Kind.POST_OFFICE_LISTS]
    a_list = GeneratedFile.objects.create(
        kind=GeneratedFile.Kind.REGISTRATION_SELF,
        commune_id=cash.commune_id,
        programme=Programme.objects.get(code="NCC"),
        period=cash.period,
    )
    assert _download(client, accountant, bank).status_code == 200
    assert _download(client, post_office, cash).status_code == 200
    assert _download(client, post_office, bank).status_code == 403
    assert _download(client, post_office, a_list).status_code == 403
