"""The paying office scoped by programme: the Sở Nội vụ sees NCC, the Sở Y tế
BTXH and HTXH, over the same commune — in the pages and in the admin.

The commune pays An (NCC) from 09/2023 and Bình (BTXH) from 10/2023: the
September cycle pays NCC only, the October cycle both programmes.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import PaymentAccount
from beneficiaries.access import beneficiaries_for, people_for, programme_ids_for
from beneficiaries.models import Category, Person, Programme, ProgrammeAccess
from beneficiaries.services import record_matches
from core import roles
from documents.models import GeneratedFile
from payments.services.cycles import approve_cycle, open_cycle, submit_cycle
from tests.cycles.conftest import enrol
from tests.factories import (
    PaymentAccountFactory,
    RegistrationFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEP = datetime.date(2023, 9, 1)
OCT = datetime.date(2023, 10, 1)
Kind = GeneratedFile.Kind


def _paying_office(commune, username: str, codes: list[str]):
    user = UserFactory(username=username, role=roles.DISTRICT, communes=[commune])
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    for code in codes:
        ProgrammeAccess.objects.create(user=user, programme=Programme.objects.get(code=code))
    return user


def _file(commune, kind, period, *, programme=None, sent=True):
    generated = GeneratedFile(
        kind=kind,
        commune=commune,
        programme=programme,
        period=period,
        status="done",
        rows=1,
        total_amount=1_000,
        checksum="c" * 64,
        finished_at=timezone.now(),
        progress=100,
        sent_at=timezone.now() if sent else None,
    )
    generated.file.save("tep.xlsx", ContentFile(b"PK"), save=False)
    generated.save()
    return generated


def _submit(cycle, leader, officer, day):
    approve_cycle(cycle, actor=leader, today=day)
    return submit_cycle(cycle, actor=officer, today=day)


@pytest.fixture
def world(commune, reference_data, officer, leader, police):
    ncc = Programme.objects.get(code="NCC")
    btxh = Programme.objects.get(code="BTXH")
    btxh_category = Category.objects.filter(programme=btxh).order_by("code").first()
    an = enrol(commune, full_name="Phan Văn An", start=SEP)
    RegistrationFactory(
        beneficiary=an,
        method="account",
        account=PaymentAccountFactory(holder=an.person),
        from_month=SEP,
    )
    binh = enrol(
        commune, full_name="Lê Thị Bình", amount=750_000, start=OCT, category=btxh_category
    )
    proxy = RepresentativeFactory(represented=binh.person, person__full_name="Đỗ Thị Nhận")
    record_matches(Person.objects.all(), actor=police)
    september = _submit(
        open_cycle(commune, SEP, actor=officer).cycle, leader, officer, datetime.date(2023, 9, 3)
    )
    october = _submit(
        open_cycle(commune, OCT, actor=officer).cycle, leader, officer, datetime.date(2023, 10, 3)
    )
    files = {
        "ncc_list": _file(commune, Kind.REGISTRATION_SELF, OCT, programme=ncc),
        "btxh_list": _file(commune, Kind.REGISTRATION_SELF, OCT, programme=btxh),
        "report": _file(commune, Kind.MONTHLY_REPORT, OCT),
        "sep_bank": _file(commune, Kind.BANK_FILES, SEP, sent=False),
        "oct_bank": _file(commune, Kind.BANK_FILES, OCT, sent=False),
    }
    return SimpleNamespace(
        an=an,
        binh=binh,
        proxy=proxy,
        september=september,
        october=october,
        files=files,
        noi_vu=_paying_office(commune, "so_noi_vu", ["NCC"]),
        y_te=_paying_office(commune, "so_y_te", ["BTXH", "HTXH"]),
        whole=_paying_office(commune, "co_quan_chi_tra", []),
    )


# --- the rule --------------------------------------------------------------------------


def test_a_user_without_programmes_sees_every_programme(world):
    assert programme_ids_for(world.whole) is None
    assert set(beneficiaries_for(world.whole)) == {world.an, world.binh}


def test_each_office_sees_its_programmes_enrolments_and_their_people(world):
    assert list(beneficiaries_for(world.noi_vu)) == [world.an]
    assert list(beneficiaries_for(world.y_te)) == [world.binh]
    assert set(people_for(world.noi_vu)) == {world.an.person}
    # The proxy of a BTXH beneficiary is one of the Sở Y tế's people.
    assert set(people_for(world.y_te)) == {world.binh.person, world.proxy.person}


# --- the pages ---------------------------------------------------------------------------


def test_the_registry_lists_only_the_users_programmes(client, world):
    client.force_login(world.noi_vu)
    page = client.get(reverse("person_list")).content.decode()
    assert "Phan Văn An" in page and "Lê Thị Bình" not in page
    assert client.get(reverse("person_detail", args=[world.an.person_id])).status_code == 200
    assert client.get(reverse("person_detail", args=[world.binh.person_id])).status_code == 404
    client.force_login(world.y_te)
    page = client.get(reverse("person_list")).content.decode()
    assert "Lê Thị Bình" in page and "Phan Văn An" not in page
    assert client.get(reverse("person_detail", args=[world.an.person_id])).status_code == 404


def test_a_cycle_paying_none_of_the_users_programmes_does_not_exist_for_them(client, world):
    client.force_login(world.y_te)
    for name in ("cycle_detail", "cycle_payments", "cycle_changes"):
        assert client.get(reverse(name, args=[world.september.pk])).status_code == 404
    listed = client.get(reverse("cycle_list")).context["cycles"]
    assert [c.pk for c in listed] == [world.october.pk]


def test_a_mixed_cycle_shows_each_office_its_own_payments_and_totals(client, world):
    client.force_login(world.y_te)
    response = client.get(reverse("cycle_detail", args=[world.october.pk]))
    totals = response.context["totals"]
    assert (totals.count, totals.amount) == (1, 750_000)
    assert [line.key for line in totals.by_programme.lines] == ["BTXH"]
    assert totals.balanced and totals.partial
    page = response.content.decode()
    assert "750.000 đ" in page and "2.805.000 đ" not in page
    assert "chỉ tính các khoản của chương trình bạn được xem" in page
    payments = client.get(reverse("cycle_payments", args=[world.october.pk])).content.decode()
    assert "Lê Thị Bình" in payments and "Phan Văn An" not in payments
    changes = client.get(reverse("cycle_changes", args=[world.october.pk])).content.decode()
    assert "Lê Thị Bình" in changes and "Phan Văn An" not in changes

    client.force_login(world.noi_vu)
    totals = client.get(reverse("cycle_detail", args=[world.october.pk])).context["totals"]
    assert (totals.count, totals.amount) == (1, 2_055_000)
    listed = {c.pk: c for c in client.get(reverse("cycle_list")).context["cycles"]}
    assert (listed[world.october.pk].shown_count, listed[world.october.pk].shown_amount) == (
        1,
        2_055_000,
    )
    payments = client.get(reverse("cycle_payments", args=[world.october.pk])).content.decode()
    assert "Phan Văn An" in payments and "Lê Thị Bình" not in payments


def test_a_user_of_every_programme_sees_the_whole_cycle(client, world):
    client.force_login(world.whole)
    totals = client.get(reverse("cycle_detail", args=[world.october.pk])).context["totals"]
    assert (totals.count, totals.amount) == (2, 2_805_000)
    assert not totals.partial


def _downloads(client) -> set[int]:
    return {f.pk for f in client.get(reverse("downloads")).context["page"]}


def test_each_office_downloads_only_files_of_its_programmes(client, world):
    files = world.files
    client.force_login(world.noi_vu)
    # Its list, the files of the September cycle, which pays NCC only, and the
    # monthly report, addressed to every programme's office; not the October
    # files, which name BTXH people too.
    assert _downloads(client) == {files["ncc_list"].pk, files["sep_bank"].pk, files["report"].pk}
    for name, status in (
        ("ncc_list", 200),
        ("sep_bank", 200),
        ("btxh_list", 404),
        ("report", 200),
        ("oct_bank", 404),
    ):
        url = reverse("generated_file_download", args=[files[name].pk])
        assert client.get(url).status_code == status, name
    client.force_login(world.y_te)
    assert _downloads(client) == {files["btxh_list"].pk, files["report"].pk}
    url = reverse("generated_file_download", args=[files["ncc_list"].pk])
    assert client.get(url).status_code == 404
    # The October cycle page lists no file that holds the other programme.
    assert list(client.get(reverse("cycle_detail", args=[world.october.pk])).context["files"]) == []
    client.force_login(world.whole)
    assert _downloads(client) == {f.pk for f in files.values()}


def test_the_paying_offices_home_counts_only_its_programmes(client, world, clock):
    clock.move_to(datetime.datetime(2023, 10, 20, 9, tzinfo=datetime.UTC))
    client.force_login(world.y_te)
    [row] = client.get(reverse("home")).context["rows"]
    assert (row.share.total, row.sent_files) == (1, 1)
    assert (row.cycle.shown_count, row.cycle.shown_amount) == (1, 750_000)
    client.force_login(world.noi_vu)
    [row] = client.get(reverse("home")).context["rows"]
    assert (row.share.total, row.sent_files) == (1, 1)
    assert (row.cycle.shown_count, row.cycle.shown_amount) == (1, 2_055_000)
    client.force_login(world.whole)
    [row] = client.get(reverse("home")).context["rows"]
    assert (row.share.total, row.sent_files) == (2, 3)
    assert (row.cycle.shown_count, row.cycle.shown_amount) == (2, 2_805_000)


# --- the admin ---------------------------------------------------------------------------


def _changelist(client, label: str) -> set[int]:
    app, model = label.split(".")
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_the_admin_shows_each_office_its_programmes_rows(client, world):
    client.force_login(world.noi_vu)
    assert _changelist(client, "beneficiaries.beneficiary") == {world.an.pk}
    assert _changelist(client, "beneficiaries.person") == {world.an.person_id}
    assert _changelist(client, "amounts.entitlement") == set(
        world.an.entitlements.values_list("pk", flat=True)
    )
    assert _changelist(client, "registration.paymentmethodregistration") == set(
        world.an.registrations.values_list("pk", flat=True)
    )
    assert {
        Programme.objects.get(pk=pk).code for pk in _changelist(client, "beneficiaries.programme")
    } == {"NCC"}
    settings = _changelist(client, "beneficiaries.programmesetting")
    assert settings and all(
        code == "NCC"
        for code in Programme.objects.filter(settings__in=settings).values_list("code", flat=True)
    )
    other = reverse("admin:beneficiaries_beneficiary_change", args=[world.binh.pk])
    assert client.get(other).status_code == 302  # Django's "does not exist" redirect
    history = reverse("admin:beneficiaries_beneficiary_history", args=[world.binh.pk])
    assert client.get(history).status_code == 404

    # Accounts and representatives are people's: the other programme's are absent.
    assert _changelist(client, "accounts.paymentaccount") == set(
        PaymentAccount.objects.filter(holder=world.an.person).values_list("pk", flat=True)
    )
    assert _changelist(client, "beneficiaries.representative") == set()

    client.force_login(world.y_te)
    assert _changelist(client, "beneficiaries.beneficiary") == {world.binh.pk}
    assert _changelist(client, "beneficiaries.person") == {
        world.binh.person_id,
        world.proxy.person_id,
    }
    assert _changelist(client, "accounts.paymentaccount") == set()
    assert _changelist(client, "beneficiaries.representative") == {world.proxy.pk}


def test_the_users_page_edits_the_programmes_a_user_sees(admin_client, world):
    url = reverse("admin:auth_user_change", args=[world.noi_vu.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "chương trình được xem" in response.content.decode().lower()


def test_a_commune_user_sees_the_province_wide_settings_and_their_communes_only(
    client, reference_data, commune, other_commune, officer
):
    ncc = Programme.objects.get(code="NCC")
    ours, theirs = (
        ncc.settings.create(
            commune=c,
            valid_from=datetime.date(2026, 1, 1),
            receiving_office=f"Sở Nội vụ ({c.name})",
            deciding_authority="Sở Nội vụ",
            payment_agency="Bưu điện tỉnh",
        )
        for c in (commune, other_commune)
    )
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client.force_login(officer)
    shown = _changelist(client, "beneficiaries.programmesetting")
    assert ours.pk in shown and theirs.pk not in shown
    assert ncc.settings.filter(commune=None).count() == 2
    assert set(ncc.settings.filter(commune=None).values_list("pk", flat=True)) <= shown
    for view in ("change", "history"):
        url = reverse(f"admin:beneficiaries_programmesetting_{view}", args=[theirs.pk])
        assert client.get(url).status_code in (302, 404)
    # The inline on the programme's page: the same rows.
    page = client.get(reverse("admin:beneficiaries_programme_change", args=[ncc.pk]))
    text = page.content.decode()
    assert "Sở Nội vụ (Yến Sơn)" in text and "Sở Nội vụ (Hà Trung)" not in text
    # The source is shown in the list.
    listing = client.get(reverse("admin:beneficiaries_programmesetting_changelist"))
    assert "Căn cứ/nguồn" in listing.content.decode()


def test_the_registry_export_holds_only_the_users_programmes(client, world):
    import io

    from openpyxl import load_workbook

    def names(user, **query) -> set[str]:
        client.force_login(user)
        response = client.get(reverse("registry_export"), query)
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return {
            cell
            for ws in workbook.worksheets
            for row in ws.iter_rows(values_only=True)
            for cell in row
            if cell in {"Phan Văn An", "Lê Thị Bình"}
        }

    assert names(world.noi_vu) == {"Phan Văn An"}
    assert names(world.y_te, ban="in") == {"Lê Thị Bình"}
    assert names(world.whole) == {"Phan Văn An", "Lê Thị Bình"}
