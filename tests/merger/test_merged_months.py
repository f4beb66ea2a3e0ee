"""Documents of a month after a merger: a month before it is the old commune's
(its people, its name, its signers); from the merger month on the new commune
holds everyone. A merged commune is read-only from its merger month."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from types import SimpleNamespace

import openpyxl
import pytest

from beneficiaries.models import Beneficiary
from beneficiaries.services import RegistryError, save_person
from desk.merger import merge_communes
from documents.models import GeneratedFile
from documents.services import FileError
from payments.services.cycles import CycleError, open_cycle
from registration.listfiles import build_registration_lists_now
from registration.lists import listed_enrolments
from registration.models import OutreachActivity
from registration.services import RegistrationError, register_payment_method, save_outreach
from reports.monthly import write_monthly_report
from tests import workbooks as xl
from tests.factories import PaymentAccountFactory, PersonFactory, RegistrationFactory
from tests.merger.conftest import JUNE, ON, enrol

pytestmark = pytest.mark.django_db

DATED = datetime.date(2026, 12, 10)
CLOSED = "Xã Yến Sơn đã sáp nhập vào Xã Hà Trung từ 01/07/2025; dùng Xã Hà Trung."


@pytest.fixture
def merged(commune, ha_dong):
    """Yên in Yến Sơn, Đông in Hà Đông, both paid into an account; merged on 1/7/2025."""
    people = {}
    for key, place, name in (("yen", commune, "Lê Văn Yên"), ("dong", ha_dong, "Trần Thị Đông")):
        enrolment = enrol(place, full_name=name)
        account = PaymentAccountFactory(holder=enrolment.person)
        RegistrationFactory(
            beneficiary=enrolment,
            method="account",
            account=account,
            from_month=datetime.date(2025, 1, 1),
        )
        people[key] = enrolment
    commune.preparer_name = "Người Lập Yến Sơn"
    commune.save()
    result = merge_communes(
        into_code="15271",
        name="Hà Trung",
        from_codes=["15307", "15280"],
        on=ON,
        fields={"preparer_name": "Người Lập Hà Trung"},
    )
    commune.refresh_from_db()
    return {**people, "old": commune, "new": result.commune}


def _sheet(generated: GeneratedFile):
    with generated.file.open("rb") as handle:
        return openpyxl.load_workbook(handle)["Danh sách"]


def test_the_old_communes_list_of_a_month_before_holds_its_people_under_its_name(merged):
    [generated] = build_registration_lists_now(merged["old"], JUNE, today=DATED)
    ws = _sheet(generated)
    assert ws["A2"].value == "XÃ YẾN SƠN"
    names = [row[1] for row in xl.table(ws)]
    assert names == ["Lê Văn Yên"]
    assert xl.has(ws, "Người Lập Yến Sơn")
    assert generated.commune == merged["old"]


def test_the_new_commune_holds_everyone_from_the_merger_month(merged):
    [generated] = build_registration_lists_now(merged["new"], ON, today=DATED)
    ws = _sheet(generated)
    assert ws["A2"].value == "XÃ HÀ TRUNG"
    assert sorted(row[1] for row in xl.table(ws)) == ["Lê Văn Yên", "Trần Thị Đông"]
    assert xl.has(ws, "Người Lập Hà Trung")


def test_the_new_commune_has_no_month_of_the_old_communes_people(merged):
    assert not listed_enrolments(merged["new"], JUNE).exists()
    assert build_registration_lists_now(merged["new"], JUNE, today=DATED) == []


def test_the_old_commune_builds_nothing_from_the_merger_month(merged):
    with pytest.raises(FileError, match=CLOSED):
        build_registration_lists_now(merged["old"], ON, today=DATED)
    with pytest.raises(CycleError, match=CLOSED):
        open_cycle(merged["old"], ON)


def test_a_cycle_of_a_month_before_pays_the_old_communes_people(merged):
    cycle = open_cycle(merged["old"], JUNE).cycle
    assert list(cycle.payments.values_list("beneficiary", flat=True)) == [merged["yen"].pk]
    after = open_cycle(merged["new"], ON).cycle
    assert set(after.payments.values_list("beneficiary", flat=True)) == {
        merged["yen"].pk,
        merged["dong"].pk,
    }


def _report(commune, period):
    out = io.BytesIO()
    figures = write_monthly_report(out, commune=commune, period=period, dated=DATED)
    out.seek(0)
    return figures, openpyxl.load_workbook(out)


def test_the_monthly_report_of_each_side_of_the_merger(merged):
    figures, workbook = _report(merged["old"], JUNE)
    assert figures.rows == 1
    assert workbook.worksheets[0]["A2"].value == "XÃ YẾN SƠN"
    figures, workbook = _report(merged["new"], ON)
    assert figures.rows == 2
    assert workbook.worksheets[0]["A2"].value == "XÃ HÀ TRUNG"


def test_registry_writes_for_the_merged_commune_are_refused(merged, officer):
    person = PersonFactory.build(commune=merged["old"], village=None, personal_id=None)
    with pytest.raises(RegistryError, match=CLOSED):
        save_person(person, actor=officer)
    activity = OutreachActivity(
        commune=merged["old"],
        date=DATED,
        channel=OutreachActivity.Channel.MEETING,
        audience="Người cao tuổi",
        people_reached=30,
    )
    with pytest.raises(RegistrationError, match=CLOSED):
        save_outreach(activity, actor=officer, today=DATED)
    # Before the merger month the old commune's own record is still taken.
    activity.date = datetime.date(2025, 6, 20)
    save_outreach(activity, actor=officer, today=DATED)
    # The moved enrolment is registered in its new commune as ever.
    register_payment_method(
        Beneficiary.objects.get(pk=merged["yen"].pk),
        method="cash",
        from_month=datetime.date(2026, 12, 1),
        requested_on=DATED,
        actor=officer,
    )


def test_the_new_communes_members_reach_the_old_communes_files(merged, other_officer):
    from beneficiaries.access import communes_for

    [generated] = build_registration_lists_now(merged["old"], JUNE, today=DATED)
    assert merged["old"] in communes_for(other_officer)  # a member of Hà Trung only
    assert generated.commune in communes_for(other_officer)


def test_an_import_into_the_merged_commune_is_refused(merged, officer):
    from desk.importer.service import ImportRefused, create_batch

    with pytest.raises(ImportRefused, match=CLOSED):
        create_batch(io.BytesIO(b"PK"), name="yen-son.xlsx", commune=merged["old"], actor=officer)


def test_a_renamed_village_prints_its_name_of_the_month(commune, ha_dong):
    """Both old communes have a Thôn Đông: the merger renames them. A document of
    Yến Sơn for June prints the name the village had then — the registration list,
    the post office's cash list, the report's annex of people not paid into an
    account — and July's of Hà Trung the new names."""
    from beneficiaries.models import Village
    from payments.cashlists import cash_rows
    from payments.models import Payment
    from reports.monthly import not_cashless_values

    people = {}
    for place, key in ((commune, "yen"), (ha_dong, "dong")):
        village = Village.objects.create(commune=place, name="Thôn Đông")
        account = enrol(place, village=village, full_name=f"Người Tài Khoản {key}")
        RegistrationFactory(
            beneficiary=account,
            method="account",
            account=PaymentAccountFactory(holder=account.person),
            from_month=datetime.date(2025, 1, 1),
        )
        people[key] = enrol(place, village=village, full_name=f"Người Tiền Mặt {key}")
    june_cycle = open_cycle(commune, JUNE).cycle
    new = merge_communes(
        into_code="15271", name="Hà Trung", from_codes=["15307", "15280"], on=ON
    ).commune
    commune.refresh_from_db()
    june_cycle.refresh_from_db()

    def villages(ws):
        column = xl.header(ws).index("Thôn")
        return sorted(row[column] for row in xl.table(ws))

    [june] = build_registration_lists_now(commune, JUNE, today=DATED)
    [july] = build_registration_lists_now(new, ON, today=DATED)
    assert villages(_sheet(june)) == ["Thôn Đông"]
    assert villages(_sheet(july)) == ["Thôn Đông (Hà Đông)", "Thôn Đông (Yến Sơn)"]

    cash = list(
        cash_rows(
            june_cycle,
            Payment.Method.CASH,
            defaultdict(str),
            SimpleNamespace(rows=0, total=0),
        )
    )
    assert [row[3] for row in cash] == ["Thôn Đông"]
    annex = list(not_cashless_values(commune, JUNE, june_cycle))
    assert [row[2] for row in annex] == ["Thôn Đông"]
    annex = list(not_cashless_values(new, ON, None))
    assert sorted(row[2] for row in annex) == ["Thôn Đông (Hà Đông)", "Thôn Đông (Yến Sơn)"]
