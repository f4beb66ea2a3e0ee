"""Account opening: requested → referred → opened (registration completes itself) or abandoned."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from beneficiaries.models import Beneficiary
from registration.models import AccountOpeningRequest, PaymentMethodRegistration
from registration.services import (
    RegistrationError,
    abandon_account_opening,
    record_account_opened,
    refer_to_bank,
    register_payment_method,
    request_account_opening,
)
from tests.factories import (
    AccountOpeningRequestFactory,
    BankFactory,
    BeneficiaryFactory,
    CategoryFactory,
    PaymentAccountFactory,
    PersonFactory,
    ProgrammeFactory,
    RegistrationFactory,
    RepresentativeFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

State = AccountOpeningRequest.State
METHOD = PaymentMethodRegistration.Method
ASKED = datetime.date(2023, 7, 5)
REFERRED = datetime.date(2023, 7, 10)
OPENED = datetime.date(2023, 7, 20)
AUGUST = datetime.date(2023, 8, 1)


@pytest.fixture
def bank(db):
    return BankFactory()


@pytest.fixture
def signed_referral_commune(commune):
    commune.issuing_body = "Ủy ban nhân dân xã Yến Sơn"
    commune.place_name = "Yến Sơn"
    commune.leader_title = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    commune.leader_name = "Lê Văn Chủ"
    commune.drafting_unit = "VHXH"
    commune.save()
    return commune


@pytest.fixture
def wallet(db):
    return BankFactory(
        bin="971005", code="VIETTELMONEY", short_name="Viettel Money", kind="e-wallet"
    )


@pytest.fixture
def beneficiary(commune):
    person = PersonFactory(commune=commune, full_name="Nguyễn Thị Hằng", phone="0912345678")
    return BeneficiaryFactory(person=person)


def _requested(beneficiary, officer, **kwargs):
    kwargs.setdefault("requested_on", ASKED)
    return request_account_opening(beneficiary.person, actor=officer, **kwargs)


def _referred(beneficiary, officer, bank, **kwargs):
    return refer_to_bank(
        _requested(beneficiary, officer, **kwargs), bank=bank, referred_on=REFERRED, actor=officer
    )


def _opened(request, officer, number="3500205777001"):
    return record_account_opened(
        request,
        number=number,
        holder_name="",
        opened_on=OPENED,
        from_month=AUGUST,
        actor=officer,
    )


# --- Transitions ---------------------------------------------------------------------


def test_a_request_starts_requested_with_who_and_when(beneficiary, officer):
    request = _requested(beneficiary, officer, form_reference="PĐK 3")

    assert request.state == State.REQUESTED
    assert (request.requested_on, request.requested_by) == (ASKED, officer)
    assert request.history.get().history_user == officer


def test_referring_records_the_bank_and_the_date(beneficiary, officer, bank):
    request = _referred(beneficiary, officer, bank)

    assert (request.state, request.bank, request.referred_on) == (State.REFERRED, bank, REFERRED)
    assert request.referred_by == officer
    assert request.age_days(datetime.date(2023, 7, 15)) == 5


def test_opening_records_the_account_and_completes_the_registration(beneficiary, officer, bank):
    request, registrations = _opened(
        _referred(beneficiary, officer, bank, form_reference="P9"), officer
    )

    assert request.state == State.OPENED and request.opened_by == officer
    account = request.account
    assert (account.holder, account.bank, account.opened_on) == (beneficiary.person, bank, OPENED)
    assert account.holder_name == beneficiary.person.name_folded
    current = PaymentMethodRegistration.objects.get(beneficiary=beneficiary, is_current=True)
    assert registrations == [current]
    assert (current.method, current.account, current.from_month) == (
        METHOD.ACCOUNT,
        account,
        AUGUST,
    )
    assert (current.requested_on, current.form_reference) == (ASKED, "P9")


def test_opening_without_a_named_enrolment_registers_each_live_enrolment_of_the_person(
    beneficiary, officer, bank
):
    btxh = CategoryFactory(programme=ProgrammeFactory(code="BTXH", short_name="BTXH"), code="B5")
    second = BeneficiaryFactory(person=beneficiary.person, category=btxh)
    ended = BeneficiaryFactory(
        person=beneficiary.person,
        category=CategoryFactory(programme=btxh.programme, code="B6"),
        status=Beneficiary.Status.ENDED,
        end_month=datetime.date(2023, 8, 1),
        end_reason=Beneficiary.EndReason.INELIGIBLE,
    )

    _request, registrations = _opened(_referred(beneficiary, officer, bank), officer)

    assert {r.beneficiary for r in registrations} == {beneficiary, second}
    assert not ended.registrations.exists()


def test_a_guardian_opening_an_account_receives_for_the_named_enrolment(beneficiary, officer, bank):
    guardian = RepresentativeFactory(represented=beneficiary.person, kind="guardian")
    request = request_account_opening(
        guardian.person,
        beneficiary=beneficiary,
        representative=guardian,
        requested_on=ASKED,
        actor=officer,
    )
    refer_to_bank(request, bank=bank, referred_on=REFERRED, actor=officer)

    request, registrations = _opened(request, officer)

    assert request.account.holder == guardian.person
    assert registrations[0].representative == guardian
    assert registrations[0].receiver == guardian.person


def test_an_e_wallet_opening_keeps_the_phone_number_as_the_account(beneficiary, officer, wallet):
    request, _registrations = _opened(
        _referred(beneficiary, officer, wallet), officer, number="0912345678"
    )

    assert request.account.number == "0912345678"


def test_abandoning_needs_a_reason_and_records_it(beneficiary, officer):
    request = _requested(beneficiary, officer)

    with pytest.raises(RegistrationError, match="Nêu lý do"):
        abandon_account_opening(request, reason="  ", abandoned_on=REFERRED, actor=officer)
    request = abandon_account_opening(
        request, reason="Không muốn mở tài khoản", abandoned_on=REFERRED, actor=officer
    )

    assert request.state == State.ABANDONED
    assert (request.abandon_reason, request.abandoned_by) == ("Không muốn mở tài khoản", officer)


def test_a_referred_request_can_be_abandoned(beneficiary, officer, bank):
    request = _referred(beneficiary, officer, bank)

    request = abandon_account_opening(
        request, reason="Ngân hàng từ chối", abandoned_on=OPENED, actor=officer
    )

    assert request.state == State.ABANDONED and request.bank == bank


def test_after_abandoning_the_person_may_ask_again(beneficiary, officer):
    first = _requested(beneficiary, officer)
    abandon_account_opening(first, reason="Đi làm xa", abandoned_on=ASKED, actor=officer)

    second = _requested(beneficiary, officer)

    assert second.pk != first.pk and second.state == State.REQUESTED


# --- Refused transitions -------------------------------------------------------------


def test_a_second_open_request_for_the_same_person_is_refused(beneficiary, officer):
    _requested(beneficiary, officer)

    with pytest.raises(RegistrationError, match="đã có một đề nghị"):
        _requested(beneficiary, officer)


def test_the_database_refuses_two_open_requests_for_one_person(beneficiary):
    AccountOpeningRequestFactory(person=beneficiary.person)

    with pytest.raises(IntegrityError), transaction.atomic():
        AccountOpeningRequestFactory(person=beneficiary.person)


def test_a_referred_request_cannot_be_referred_again(beneficiary, officer, bank):
    request = _referred(beneficiary, officer, bank)

    with pytest.raises(RegistrationError, match="Đã giới thiệu đến ngân hàng"):
        refer_to_bank(request, bank=bank, referred_on=OPENED, actor=officer)


def test_a_request_not_yet_referred_cannot_be_opened(beneficiary, officer):
    request = _requested(beneficiary, officer)

    with pytest.raises(RegistrationError, match="Đã đề nghị"):
        _opened(request, officer)
    request.refresh_from_db()
    assert request.state == State.REQUESTED


def test_an_opened_request_cannot_be_abandoned_or_opened_again(beneficiary, officer, bank):
    request, _registrations = _opened(_referred(beneficiary, officer, bank), officer)

    with pytest.raises(RegistrationError, match="Đã mở tài khoản"):
        abandon_account_opening(request, reason="Nhầm", abandoned_on=OPENED, actor=officer)
    with pytest.raises(RegistrationError, match="Đã mở tài khoản"):
        _opened(request, officer, number="3500205777002")


def test_an_abandoned_request_cannot_be_referred(beneficiary, officer, bank):
    request = _requested(beneficiary, officer)
    abandon_account_opening(request, reason="Chuyển đi", abandoned_on=ASKED, actor=officer)

    with pytest.raises(RegistrationError, match="Dừng, không mở"):
        refer_to_bank(request, bank=bank, referred_on=REFERRED, actor=officer)


def test_a_referral_dated_before_the_request_is_refused(beneficiary, officer, bank):
    request = _requested(beneficiary, officer)

    with pytest.raises(RegistrationError, match="trước ngày đề nghị"):
        refer_to_bank(request, bank=bank, referred_on=datetime.date(2023, 7, 1), actor=officer)


def test_an_opening_dated_before_the_referral_is_refused(beneficiary, officer, bank):
    request = _referred(beneficiary, officer, bank)

    with pytest.raises(RegistrationError, match="trước ngày giới thiệu"):
        record_account_opened(
            request,
            number="3500205777003",
            holder_name="",
            opened_on=datetime.date(2023, 7, 9),
            from_month=AUGUST,
            actor=officer,
        )


def test_an_account_number_already_held_by_someone_refuses_the_opening_and_changes_nothing(
    beneficiary, officer, bank
):
    taken = PaymentAccountFactory(holder=PersonFactory(commune=beneficiary.commune), bank=bank)
    request = _referred(beneficiary, officer, bank)

    with pytest.raises(RegistrationError, match="đã được đăng ký cho một người khác"):
        _opened(request, officer, number=taken.number)

    request.refresh_from_db()
    assert request.state == State.REFERRED
    assert not PaymentMethodRegistration.objects.filter(beneficiary=beneficiary).exists()


def test_a_request_for_a_dead_person_is_refused(beneficiary, officer):
    beneficiary.person.date_of_death = datetime.date(2023, 6, 1)
    beneficiary.person.save()

    with pytest.raises(RegistrationError, match="đã mất"):
        _requested(beneficiary, officer)


def test_a_request_naming_someone_elses_enrolment_is_refused(beneficiary, officer, commune):
    other = BeneficiaryFactory(person=PersonFactory(commune=commune))

    with pytest.raises(RegistrationError, match="không phải của người mở tài khoản"):
        request_account_opening(
            beneficiary.person, beneficiary=other, requested_on=ASKED, actor=officer
        )


def test_a_representative_with_an_expired_authorisation_cannot_ask_for_the_beneficiary(
    beneficiary, officer
):
    expired = RepresentativeFactory(
        represented=beneficiary.person, valid_until=datetime.date(2023, 7, 1)
    )

    with pytest.raises(RegistrationError, match="hết hiệu lực"):
        request_account_opening(
            expired.person,
            beneficiary=beneficiary,
            representative=expired,
            requested_on=ASKED,
            actor=officer,
        )


def test_a_newer_registration_made_meanwhile_is_not_overridden_by_the_opening(
    beneficiary, officer, bank
):
    request = _referred(beneficiary, officer, bank)
    newer = register_payment_method(
        beneficiary,
        method=METHOD.HOME,
        from_month=datetime.date(2023, 10, 1),
        requested_on=OPENED,
        actor=officer,
    )

    request, registrations = _opened(request, officer)

    assert request.state == State.OPENED and registrations == []
    assert PaymentMethodRegistration.objects.get(beneficiary=beneficiary, is_current=True) == newer


# --- Pages ---------------------------------------------------------------------------


@pytest.fixture
def pipeline_data(commune, other_commune, officer, bank):
    """Requests in every state at two banks, and one of another commune."""
    wallet = BankFactory(bin="971005", code="VTM", short_name="Viettel Money", kind="e-wallet")
    village = VillageFactory(commune=commune, name="Thôn Đông Sơn")
    people = [
        PersonFactory(
            commune=commune, village=village, full_name=f"Lê Văn Chờ {n}", phone="0912000111"
        )
        for n in range(6)
    ]
    for person in people:
        BeneficiaryFactory(person=person)
    requested = request_account_opening(people[0], requested_on=ASKED, actor=officer)
    referred = []
    for person, to_bank in ((people[1], bank), (people[2], bank), (people[3], wallet)):
        r = request_account_opening(person, requested_on=ASKED, actor=officer)
        referred.append(refer_to_bank(r, bank=to_bank, referred_on=REFERRED, actor=officer))
    opened = request_account_opening(people[4], requested_on=ASKED, actor=officer)
    refer_to_bank(opened, bank=bank, referred_on=REFERRED, actor=officer)
    _opened(opened, officer, number="3500205777010")
    abandoned = request_account_opening(people[5], requested_on=ASKED, actor=officer)
    abandon_account_opening(abandoned, reason="Không muốn", abandoned_on=REFERRED, actor=officer)
    stranger = PersonFactory(commune=other_commune, full_name="Trần Văn Xã Khác")
    request_account_opening(stranger, requested_on=ASKED, actor=officer)
    return {"requested": requested, "referred": referred, "wallet": wallet, "people": people}


def test_the_pipeline_counts_requests_by_bank_and_state_in_the_users_commune(
    client, officer, pipeline_data, bank
):
    client.force_login(officer)

    response = client.get(reverse("account_pipeline"))

    counts = {row["bank"]: row["states"] for row in response.context["counts"]["rows"]}
    # requested, referred, opened, abandoned
    assert counts == {
        "Agribank": [0, 2, 1, 0],
        "Viettel Money": [0, 1, 0, 0],
        "Chưa chọn ngân hàng": [1, 0, 0, 1],
    }
    assert response.context["counts"]["total"] == 6
    assert "Trần Văn Xã Khác" not in response.content.decode()


def test_the_pipeline_lists_open_requests_with_their_age(client, officer, pipeline_data):
    client.force_login(officer)

    response = client.get(reverse("account_pipeline"))

    rows = list(response.context["page"])
    assert len(rows) == 4
    today = response.context["today"]
    ages = {r.pk: r.age for r in rows}
    assert ages[pipeline_data["requested"].pk] == (today - ASKED).days
    assert ages[pipeline_data["referred"][0].pk] == (today - REFERRED).days


def test_the_pipeline_filters_by_state_and_bank(client, officer, pipeline_data, bank):
    client.force_login(officer)

    referred_here = client.get(
        reverse("account_pipeline"), {"state": "referred", "bank": bank.pk}
    ).context["page"]
    everything = client.get(reverse("account_pipeline"), {"state": ""}).context["page"]

    assert {r.pk for r in referred_here} == {r.pk for r in pipeline_data["referred"][:2]}
    assert len(list(everything)) == 6


def test_the_pipeline_runs_a_fixed_number_of_queries(
    client, officer, pipeline_data, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(reverse("account_pipeline"))

    with django_assert_max_num_queries(14):
        client.get(reverse("account_pipeline"), {"state": ""})


def test_referring_from_the_pipeline_row(client, officer, pipeline_data, bank):
    client.force_login(officer)
    request = pipeline_data["requested"]

    response = client.post(
        reverse("account_request_refer", args=[request.pk]),
        {"bank": bank.pk, "referred_on": "12/07/2023"},
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.state, request.bank, request.referred_on) == (
        State.REFERRED,
        bank,
        datetime.date(2023, 7, 12),
    )


def test_a_refused_transition_on_the_page_says_why(client, officer, pipeline_data, bank):
    client.force_login(officer)
    already = pipeline_data["referred"][0]

    response = client.post(
        reverse("account_request_refer", args=[already.pk]),
        {"bank": bank.pk, "referred_on": "12/07/2023"},
    )

    assert response.status_code == 200
    assert "không thể thực hiện thao tác này" in response.content.decode()


def test_recording_an_opened_account_from_its_page_completes_the_registration(
    client, officer, pipeline_data
):
    client.force_login(officer)
    request = pipeline_data["referred"][0]

    response = client.post(
        reverse("account_request_opened", args=[request.pk]),
        {
            "number": "3500 205 777 020",
            "holder_name": "",
            "opened_on": "20/07/2023",
            "from_month": "08/2023",
        },
    )

    assert response.status_code == 302
    current = PaymentMethodRegistration.objects.get(
        beneficiary__person=request.person, is_current=True
    )
    assert current.account.number == "3500205777020"
    assert current.from_month == AUGUST


def test_abandoning_from_its_page_without_a_reason_keeps_the_form(client, officer, pipeline_data):
    client.force_login(officer)
    request = pipeline_data["requested"]

    response = client.post(
        reverse("account_request_abandon", args=[request.pk]),
        {"reason": "", "abandoned_on": "12/07/2023"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    request.refresh_from_db()
    assert request.state == State.REQUESTED


def test_requesting_an_account_from_the_person_page(client, officer, beneficiary, bank):
    client.force_login(officer)

    response = client.post(
        reverse("account_request_create", args=[beneficiary.person_id]),
        {
            "purpose": f"own-{beneficiary.pk}",
            "bank": bank.pk,
            "requested_on": "05/07/2023",
            "form_reference": "PĐK 1",
        },
    )

    assert response.status_code == 302
    request = AccountOpeningRequest.objects.get(person=beneficiary.person)
    assert (request.beneficiary, request.bank, request.state) == (
        beneficiary,
        bank,
        State.REQUESTED,
    )
    page = client.get(reverse("person_detail", args=[beneficiary.person_id])).content.decode()
    assert "Đã đề nghị" in page


def test_a_second_request_from_the_person_page_is_refused_on_the_form(client, officer, beneficiary):
    _requested(beneficiary, officer)
    client.force_login(officer)

    response = client.post(
        reverse("account_request_create", args=[beneficiary.person_id]),
        {"purpose": "", "requested_on": "06/07/2023"},
    )

    assert response.status_code == 200
    assert "đã có một đề nghị" in response.content.decode()


def _letter(response):
    from openpyxl import load_workbook

    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.getvalue()))["Công văn"]
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def test_the_referral_letter_introduces_the_people_referred_to_one_bank(
    client, officer, pipeline_data, bank, signed_referral_commune
):
    client.force_login(officer)

    response = client.get(reverse("account_referral_letter", args=[bank.pk]))

    assert response["Content-Disposition"].startswith(
        'attachment; filename="cong-van-gioi-thieu-mo-tai-khoan-'
    )
    assert response["Content-Disposition"].endswith('-15307-20261215.xlsx"')
    rows = _letter(response)
    texts = [v for row in rows for v in row if isinstance(v, str)]
    assert rows[0][0] == "ỦY BAN NHÂN DÂN" and rows[1][0] == "XÃ YẾN SƠN"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in rows[0]
    assert any(t.startswith("Số:") and t.endswith("/UBND-VHXH") for t in texts)
    assert "V/v giới thiệu người mở tài khoản nhận trợ cấp" in texts
    assert f"Kính gửi: {bank.name}" in texts
    assert "Yến Sơn, ngày 15 tháng 12 năm 2026" in texts
    assert any(t.startswith("Ủy ban nhân dân xã Yến Sơn giới thiệu 2 người") for t in texts)
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    assert rows[header] == [
        "STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Địa chỉ", "Số điện thoại", "Chương trình",
        "Ngày giới thiệu",
    ]  # fmt: skip
    table = rows[header + 1 : header + 3]
    assert [row[1] for row in table] == ["Lê Văn Chờ 1", "Lê Văn Chờ 2"]
    first = table[0]
    assert first[4] == "Thôn Đông Sơn" and first[5] == "0912000111"
    assert first[7].date() == datetime.date(2023, 7, 10)
    assert first[6]  # the programme's name
    assert "Lê Văn Chờ 3" not in texts  # referred to the e-wallet
    assert "Lê Văn Chờ 4" not in texts  # already opened
    # The leader signs and seals; "Nơi nhận" beside.
    assert "(Ký tên, đóng dấu)" in texts and "Lê Văn Chủ" in texts
    assert "Nơi nhận:" in texts and "- Như trên;" in texts


def test_the_referral_letter_of_another_commune_is_not_found(client, officer, bank, other_commune):
    client.force_login(officer)

    response = client.get(
        reverse("account_referral_letter", args=[bank.pk]), {"xa": other_commune.pk}
    )

    assert response.status_code == 404


def test_a_person_already_paid_into_an_account_may_still_ask_for_another(beneficiary):
    RegistrationFactory(
        beneficiary=beneficiary,
        method=METHOD.ACCOUNT,
        account=PaymentAccountFactory(holder=beneficiary.person),
    )

    assert request_account_opening(beneficiary.person, requested_on=ASKED, actor=None).pk


def _selected_state(html: str) -> str:
    import re

    select = re.search(r'<select name="state".*?</select>', html, re.S).group(0)
    return re.search(r"<option[^>]*selected[^>]*>([^<]*)</option>", select).group(1)


def test_the_pipeline_state_filter_shows_the_open_requests_it_lists_by_default(
    client, officer, pipeline_data
):
    client.force_login(officer)

    response = client.get(reverse("account_pipeline"))

    assert {r.state for r in response.context["page"]} == {State.REQUESTED, State.REFERRED}
    assert _selected_state(response.content.decode()) == "Đang mở (đã đề nghị, đã giới thiệu)"


def test_the_pipeline_state_filter_all_lists_all_and_says_so(client, officer, pipeline_data):
    client.force_login(officer)

    response = client.get(reverse("account_pipeline"), {"state": "", "page": "1"})

    assert len(list(response.context["page"])) == 6
    assert _selected_state(response.content.decode()) == "Tất cả"


def test_the_pipeline_with_a_bad_bank_filter_still_shows_what_it_lists(
    client, officer, pipeline_data
):
    client.force_login(officer)

    response = client.get(reverse("account_pipeline"), {"state": "", "bank": "999999"})

    assert len(list(response.context["page"])) == 6
    assert _selected_state(response.content.decode()) == "Tất cả"
    assert response.context["form"].errors["bank"]


def test_the_pipeline_row_of_a_request_without_bank_preselects_no_bank(
    client, officer, pipeline_data, bank
):
    import re

    client.force_login(officer)
    request = pipeline_data["requested"]
    assert request.bank_id is None

    html = client.get(reverse("account_pipeline")).content.decode()

    action = reverse("account_request_refer", args=[request.pk])
    form = re.search(rf'<form[^>]*action="{action}".*?</form>', html, re.S).group(0)
    options = re.findall(r"<option[^>]*>[^<]*</option>", form)
    assert options[0] == '<option value="" selected>— chọn ngân hàng —</option>'
    assert sum("selected" in o for o in options) == 1


def test_referring_without_a_bank_is_refused_in_vietnamese(client, officer, pipeline_data):
    client.force_login(officer)
    request = pipeline_data["requested"]

    response = client.post(
        reverse("account_request_refer", args=[request.pk]),
        {"bank": "", "referred_on": "12/07/2023"},
    )

    assert response.status_code == 200
    assert "Chọn ngân hàng giới thiệu người này đến." in response.content.decode()
    request.refresh_from_db()
    assert request.state == State.REQUESTED and request.bank_id is None
