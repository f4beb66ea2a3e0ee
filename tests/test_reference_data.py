"""Reference data: shipped, loaded idempotently, with the history of offices."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from accounts.models import Bank
from amounts.models import AllowanceRate
from beneficiaries.models import Category, Programme, ProgrammeSetting, Province
from desk.reference import load_reference_data

pytestmark = pytest.mark.django_db


def test_reference_data_loads_every_shipped_row(reference_data):
    assert Province.objects.count() == 63
    assert Province.objects.get(code="038").name == "Thanh Hóa"
    assert set(Programme.objects.values_list("code", flat=True)) == {"NCC", "BTXH", "HTXH"}
    assert Category.objects.filter(programme__code="NCC").count() == 13
    assert Category.objects.filter(programme__code="BTXH").count() == 17
    assert Bank.objects.get(bin="970405").short_name == "Agribank"
    assert Bank.objects.get(short_name="ViettelMoney").kind == Bank.Kind.EWALLET


def test_loading_twice_creates_nothing_new(reference_data):
    counts = (Province.objects.count(), Bank.objects.count(), AllowanceRate.objects.count())
    summary = load_reference_data()
    assert summary.created == {}
    assert counts == (Province.objects.count(), Bank.objects.count(), AllowanceRate.objects.count())


def test_unverified_base_levels_are_flagged(reference_data):
    rate = AllowanceRate.objects.get(programme__code="BTXH", applies_from=datetime.date(2026, 7, 1))
    assert rate.amount == 540_000
    assert rate.verified is False
    ncc_2023 = AllowanceRate.objects.get(
        programme__code="NCC", applies_from=datetime.date(2023, 7, 1)
    )
    assert ncc_2023.amount == 2_055_000
    assert ncc_2023.verified is True


def test_btxh_coefficients_are_exact_decimals(reference_data):
    category = Category.objects.get(code="BTXH_K6_DBN_TE_NCT")
    assert str(category.coefficient) == "2.50"


def test_the_receiving_office_follows_the_2025_reform(reference_data):
    ncc = Programme.objects.get(code="NCC")
    btxh = Programme.objects.get(code="BTXH")
    assert "Phòng Lao động" in ncc.setting_on(datetime.date(2023, 9, 1)).receiving_office
    assert ncc.setting_on(datetime.date(2025, 8, 1)).receiving_office == "Sở Nội vụ"
    assert ncc.setting_on(datetime.date(2025, 8, 1)).deadline_day == 5
    # Social protection and the social pension: the commune decides, the Sở Y tế receives.
    for code in ("BTXH", "HTXH"):
        setting = Programme.objects.get(code=code).setting_on(datetime.date(2025, 8, 1))
        assert setting.receiving_office == "Sở Y tế"
        assert setting.deciding_authority == "Chủ tịch Ủy ban nhân dân xã"
    assert "Phòng Lao động" in btxh.setting_on(datetime.date(2025, 6, 30)).receiving_office


def test_every_shipped_setting_names_its_source(reference_data):
    sources = dict(
        ProgrammeSetting.objects.filter(commune=None)
        .values_list("programme__code", "source")
        .filter(valid_from=datetime.date(2025, 7, 1))
    )
    assert "176/2025" in sources["HTXH"]
    assert "Bộ Y tế" in sources["BTXH"]
    assert "Bộ Nội vụ" in sources["NCC"]
    assert not ProgrammeSetting.objects.filter(source="").exists()


def test_reloading_corrects_the_shipped_rows_of_an_existing_database(reference_data, commune):
    """A database loaded with the earlier rows (the commune named as the office
    receiving BTXH lists, no source) is corrected by loading again; a commune's
    own row and an administrator's extra row are left as they were."""
    btxh = Programme.objects.get(code="BTXH")
    shipped = ProgrammeSetting.objects.get(
        programme=btxh, commune=None, valid_from=datetime.date(2025, 7, 1)
    )
    shipped.receiving_office = "Ủy ban nhân dân xã"
    shipped.source = ""
    shipped.save()
    own = ProgrammeSetting.objects.create(
        programme=btxh,
        commune=commune,
        valid_from=datetime.date(2026, 1, 1),
        receiving_office="Ủy ban nhân dân xã",
        deciding_authority="Chủ tịch Ủy ban nhân dân xã",
        payment_agency="Bưu điện xã",
    )
    before = ProgrammeSetting.objects.count()

    summary = load_reference_data()

    shipped.refresh_from_db()
    assert shipped.receiving_office == "Sở Y tế"
    assert "Bộ Y tế" in shipped.source
    assert summary.updated["programme_setting"] == 1
    assert "programme_setting" not in summary.created
    assert ProgrammeSetting.objects.count() == before
    own.refresh_from_db()
    assert own.receiving_office == "Ủy ban nhân dân xã"
    # The correction is in the row's history, like an edit in the admin.
    assert shipped.history.first().receiving_office == "Sở Y tế"


def test_no_setting_before_the_first_period(reference_data):
    assert Programme.objects.get(code="HTXH").setting_on(datetime.date(2024, 1, 1)) is None


def test_a_commune_setting_overrides_the_default(reference_data, commune):
    ncc = Programme.objects.get(code="NCC")
    ProgrammeSetting.objects.create(
        programme=ncc,
        commune=commune,
        valid_from=datetime.date(2026, 1, 1),
        receiving_office="Sở Nội vụ tỉnh Thanh Hóa",
        deciding_authority="Sở Nội vụ",
        payment_agency="Bưu điện tỉnh Thanh Hóa",
        deadline_day=3,
    )
    assert ncc.setting_on(datetime.date(2026, 2, 1), commune).deadline_day == 3
    assert ncc.setting_on(datetime.date(2026, 2, 1)).deadline_day == 5
    assert ncc.setting_on(datetime.date(2025, 12, 1), commune).deadline_day == 5


def test_the_command_prints_a_summary(db, capsys):
    call_command("load_reference_data")
    out = capsys.readouterr().out
    assert "province: 63 mới" in out
    assert "bank: 65 mới" in out


def test_bank_synonyms_are_data_an_administrator_can_extend(reference_data):
    from desk.importer.service import reference_from_database
    from documents.spreadsheet import fold_key

    agribank = Bank.objects.get(bin="970405")
    assert "NHNo&PTNT" in agribank.synonyms
    agribank.synonyms += "; Quỹ nông thôn Hà Trung"
    agribank.save()
    load_reference_data()  # reloading keeps the administrator's addition
    agribank.refresh_from_db()
    assert agribank.synonyms.endswith("Quỹ nông thôn Hà Trung")
    assert agribank.synonyms.count("NHNo&PTNT") == 1
    reference = reference_from_database()
    assert reference.banks[fold_key("Quỹ nông thôn Hà Trung")] == ("970405", False)


def test_loading_again_saves_only_what_differs_from_the_shipped_rows(reference_data):
    agribank = Bank.objects.get(bin="970405")
    history = agribank.history.count()
    Bank.objects.filter(pk=agribank.pk).update(short_name="Agri")
    summary = load_reference_data()
    assert (summary.created, summary.updated) == ({}, {"bank": 1})
    agribank.refresh_from_db()
    assert agribank.short_name == "Agribank"
    assert agribank.history.count() == history + 1
    assert load_reference_data().updated == {}


def test_loading_into_an_empty_database_takes_a_few_statements_per_table(
    db, django_assert_max_num_queries
):
    with django_assert_max_num_queries(60):
        summary = load_reference_data()
    assert summary.created["province"] == 63
    assert Bank.objects.first().history.count() == 1


def test_every_bank_has_its_own_readable_name(reference_data):
    short_names = list(Bank.objects.values_list("short_name", flat=True))
    names = list(Bank.objects.values_list("name", flat=True))
    assert len(short_names) == len(set(short_names))
    assert len(names) == len(set(names))
    assert Bank.objects.get(bin="970456").short_name == "IBK TP.HCM"
    assert Bank.objects.get(bin="970467").name == "Ngân hàng KEB Hana – CN Hà Nội"


def test_renamed_banks_keep_their_accounts_and_their_old_names(reference_data):
    from tests.factories import PaymentAccountFactory

    hana = Bank.objects.get(bin="970466")
    # A database loaded with the earlier rows: same BIN, the old names.
    Bank.objects.filter(pk=hana.pk).update(short_name="KEB Hana", name="KEB Hana", synonyms="")
    account = PaymentAccountFactory(bank=hana)

    load_reference_data()

    hana.refresh_from_db()
    account.refresh_from_db()
    assert account.bank_id == hana.pk
    assert (hana.short_name, hana.name) == ("KEB Hana TP.HCM", "Ngân hàng KEB Hana – CN TP.HCM")
    # An old list that wrote "KEB Hana" still names a bank: the import asks which one.
    assert "KEB Hana" in hana.synonyms
    assert "IBKHCM" in Bank.objects.get(bin="970456").synonyms
