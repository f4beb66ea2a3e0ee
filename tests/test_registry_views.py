"""The officer's registry pages: the list (search, filters, pages, query count) and the forms."""

from __future__ import annotations

import csv
import datetime
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Beneficiary, Person, Programme, Province, Representative
from desk.reference import REFERENCE_DIR
from registration.models import PaymentMethodRegistration
from tests.factories import (
    BeneficiaryFactory,
    CategoryFactory,
    EntitlementFactory,
    PaymentAccountFactory,
    PersonFactory,
    ProgrammeFactory,
    RegistrationFactory,
    RepresentativeFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

METHOD = PaymentMethodRegistration.Method


@pytest.fixture
def ncc(db):
    return ProgrammeFactory()


@pytest.fixture
def btxh(db):
    return ProgrammeFactory(
        code="BTXH",
        name="Trợ cấp xã hội hằng tháng cho đối tượng bảo trợ xã hội",
        short_name="Bảo trợ xã hội",
        amount_mode=Programme.AmountMode.COEFFICIENT,
    )


@pytest.fixture
def war_invalid(ncc):
    return CategoryFactory(programme=ncc)


@pytest.fixture
def elderly_category(btxh):
    return CategoryFactory(
        programme=btxh,
        code="BTXH_K5A_80P",
        name="Người cao tuổi thuộc hộ nghèo không có người phụng dưỡng - từ đủ 80 tuổi",
        short_name="Người cao tuổi nghèo cô đơn từ 80",
        coefficient=Decimal("2.0"),
    )


@pytest.fixture
def provinces(db):
    """The province codes that open a CCCD (the same rows as the reference data)."""
    with (REFERENCE_DIR / "provinces.csv").open(encoding="utf-8", newline="") as handle:
        Province.objects.bulk_create(
            Province(code=row["code"], name=row["name"]) for row in csv.DictReader(handle)
        )


@pytest.fixture
def east(commune):
    return VillageFactory(commune=commune, name="Thôn Đông")


@pytest.fixture
def west(commune):
    return VillageFactory(commune=commune, name="Thôn Tây")


@pytest.fixture
def logged_in(client, officer):
    client.force_login(officer)
    return client


def _enrol(person, category, *, method=None, account_number=None, status=None, amount=2_055_000):
    extra = {}
    if status is not None:
        extra["status"] = status
        if status == Beneficiary.Status.ENDED:
            extra.update(end_month=datetime.date(2024, 1, 1), end_reason="death")
    beneficiary = BeneficiaryFactory(person=person, category=category, **extra)
    EntitlementFactory(beneficiary=beneficiary, amount=amount)
    if method == METHOD.ACCOUNT:
        account = PaymentAccountFactory(
            holder=person, **({"number": account_number} if account_number else {})
        )
        RegistrationFactory(beneficiary=beneficiary, method=method, account=account)
    elif method is not None:
        RegistrationFactory(beneficiary=beneficiary, method=method)
    return beneficiary


@pytest.fixture
def people(commune, east, west, war_invalid, elderly_category):
    """Four enrolments that differ in every filtered field."""
    hang = PersonFactory(
        commune=commune,
        village=east,
        full_name="Nguyễn Thị Hằng",
        personal_id="038150001234",
        gender=Person.Gender.FEMALE,
    )
    hung = PersonFactory(
        commune=commune, village=west, full_name="Nguyễn Văn Hùng", personal_id="038045007777"
    )
    binh = PersonFactory(
        commune=commune, village=east, full_name="Trần Văn Bình", personal_id="001052000001"
    )
    an = PersonFactory(
        commune=commune,
        village=west,
        full_name="Lê Thị An",
        personal_id=None,
        gender=Person.Gender.FEMALE,
    )
    return {
        "hang": _enrol(hang, war_invalid, method=METHOD.ACCOUNT, account_number="3500205987654"),
        "hung": _enrol(hung, elderly_category, method=METHOD.CASH),
        "binh": _enrol(binh, war_invalid, method=METHOD.HOME, status=Beneficiary.Status.SUSPENDED),
        "an": _enrol(an, elderly_category, status=Beneficiary.Status.ENDED),
    }


def _listed(client, **params) -> list[str]:
    """The names the list shows; a search term is typed in the search form (POST)."""
    if "q" in params:
        response = client.post(reverse("person_list"), params, follow=True)
    else:
        response = client.get(reverse("person_list"), params)
    assert response.status_code == 200
    return [b.person.full_name for b in response.context["page"]]


def test_the_list_is_sorted_by_given_name(logged_in, people):
    assert _listed(logged_in) == [
        "Lê Thị An",
        "Trần Văn Bình",
        "Nguyễn Thị Hằng",
        "Nguyễn Văn Hùng",
    ]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("nguyen thi hang", ["Nguyễn Thị Hằng"]),
        ("NGUYEN THI HANG", ["Nguyễn Thị Hằng"]),
        ("Hằng", ["Nguyễn Thị Hằng"]),
        ("hung", ["Nguyễn Văn Hùng"]),
        ("nguyen", ["Nguyễn Thị Hằng", "Nguyễn Văn Hùng"]),
        ("  tran   van  binh ", ["Trần Văn Bình"]),
        ("nobody", []),
    ],
)
def test_the_list_searches_names_with_or_without_accents(logged_in, people, q, found):
    assert _listed(logged_in, q=q) == found


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("038150001234", ["Nguyễn Thị Hằng"]),
        ("038", ["Nguyễn Thị Hằng", "Nguyễn Văn Hùng"]),
        ("038 150", ["Nguyễn Thị Hằng"]),
        ("001.052", ["Trần Văn Bình"]),
        ("150001234", []),
    ],
)
def test_the_list_searches_a_personal_id_by_prefix(logged_in, people, q, found):
    assert _listed(logged_in, q=q) == found


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("3500205987654", ["Nguyễn Thị Hằng"]),
        ("35002059876", ["Nguyễn Thị Hằng"]),
        ("3500 2059 87654", ["Nguyễn Thị Hằng"]),
        ("987654", []),
    ],
)
def test_the_list_searches_an_account_number_by_prefix(logged_in, people, q, found):
    assert _listed(logged_in, q=q) == found


def test_the_police_cannot_find_anyone_by_an_account_number(client, police, people):
    """The police see people, never accounts: an account number finds nobody for them,
    the page as the query beneath it; their personal-ID search still works."""
    from desk.registry import search_registry

    client.force_login(police)
    assert _listed(client, q="3500205987654") == []
    assert _listed(client, q="35002059876") == []
    assert _listed(client, q="038150001234") == ["Nguyễn Thị Hằng"]
    today = timezone.localdate()
    assert list(search_registry(police, on=today, q="3500205987654")) == []


@pytest.mark.parametrize("role", ["police", "post_office"])
def test_a_role_without_money_finds_nobody_by_an_account_number(request, people, role):
    from desk.registry import search_registry

    user = request.getfixturevalue(role)
    today = timezone.localdate()
    assert list(search_registry(user, on=today, q="3500205987654")) == []
    found = search_registry(user, on=today, q="038150001234")
    assert [b.person.full_name for b in found] == ["Nguyễn Thị Hằng"]


def test_the_list_finds_a_beneficiary_by_the_account_of_the_representative(
    logged_in, commune, elderly_category
):
    grandmother = PersonFactory(commune=commune, full_name="Phạm Thị Gái", personal_id=None)
    beneficiary = _enrol(grandmother, elderly_category)
    representative = RepresentativeFactory(represented=grandmother)
    account = PaymentAccountFactory(holder=representative.person, number="1903123456789")
    RegistrationFactory(
        beneficiary=beneficiary,
        method=METHOD.ACCOUNT,
        account=account,
        representative=representative,
    )

    assert _listed(logged_in, q="1903123") == ["Phạm Thị Gái"]


def test_the_list_filters_by_programme(logged_in, people, ncc, btxh):
    assert _listed(logged_in, programme=ncc.pk) == ["Trần Văn Bình", "Nguyễn Thị Hằng"]
    assert _listed(logged_in, programme=btxh.pk) == ["Lê Thị An", "Nguyễn Văn Hùng"]


def test_the_list_filters_by_category(logged_in, people, elderly_category):
    assert _listed(logged_in, category=elderly_category.pk) == ["Lê Thị An", "Nguyễn Văn Hùng"]


def test_the_list_filters_by_village(logged_in, people, east, west):
    assert _listed(logged_in, village=east.pk) == ["Trần Văn Bình", "Nguyễn Thị Hằng"]
    assert _listed(logged_in, village=west.pk) == ["Lê Thị An", "Nguyễn Văn Hùng"]


@pytest.mark.parametrize(
    ("status", "found"),
    [
        ("active", ["Nguyễn Thị Hằng", "Nguyễn Văn Hùng"]),
        ("suspended", ["Trần Văn Bình"]),
        ("ended", ["Lê Thị An"]),
    ],
)
def test_the_list_filters_by_status(logged_in, people, status, found):
    assert _listed(logged_in, status=status) == found


@pytest.mark.parametrize(
    ("method", "found"),
    [
        ("account", ["Nguyễn Thị Hằng"]),
        ("cash", ["Nguyễn Văn Hùng"]),
        ("home", ["Trần Văn Bình"]),
        ("none", ["Lê Thị An"]),
    ],
)
def test_the_list_filters_by_payment_method(logged_in, people, method, found):
    assert _listed(logged_in, method=method) == found


def test_the_list_combines_search_and_filters(logged_in, people, ncc, east):
    assert _listed(logged_in, q="nguyen", programme=ncc.pk, village=east.pk, status="active") == [
        "Nguyễn Thị Hằng"
    ]


def test_the_list_shows_amount_method_and_account(logged_in, people):
    html = logged_in.post(reverse("person_list"), {"q": "hang"}, follow=True).content.decode()

    assert "2.055.000 đ" in html
    assert "Qua tài khoản" in html
    assert "Agribank 3500205987654" in html
    assert "15/03/1950" in html


def test_the_amount_shown_is_the_one_in_force_this_month(logged_in, commune, elderly_category):
    person = PersonFactory(commune=commune, full_name="Đỗ Thị Mơ", personal_id=None)
    beneficiary = _enrol(person, elderly_category, amount=500_000)
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    EntitlementFactory(beneficiary=beneficiary, from_month=next_month, amount=900_000)

    html = logged_in.get(reverse("person_list")).content.decode()

    assert "500.000 đ" in html
    assert "900.000 đ" not in html


def test_the_method_shown_is_the_registration_in_force_this_month(
    logged_in, commune, elderly_category
):
    """A registration from next month is current, but this month's cycle pays by the
    one in force: the list shows that one (and filters by it)."""
    person = PersonFactory(commune=commune, full_name="Đỗ Thị Mơ", personal_id=None)
    beneficiary = _enrol(person, elderly_category, method=METHOD.CASH)
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    PaymentMethodRegistration.objects.filter(beneficiary=beneficiary).update(is_current=False)
    RegistrationFactory(
        beneficiary=beneficiary,
        from_month=next_month,
        method=METHOD.ACCOUNT,
        account=PaymentAccountFactory(holder=person, number="3500205111222"),
    )

    html = logged_in.get(reverse("person_list")).content.decode()

    assert "3500205111222" not in html
    assert _listed(logged_in, method="cash") == ["Đỗ Thị Mơ"]
    assert _listed(logged_in, method="account") == []


def _many(commune, category, village, count: int) -> None:
    for n in range(count):
        person = PersonFactory(
            commune=commune, village=village, full_name=f"Hoàng Văn Số {n:03d}", personal_id=None
        )
        _enrol(person, category, method=METHOD.ACCOUNT if n % 2 else METHOD.CASH)


def test_the_list_has_pages_of_fifty_that_keep_the_filters(logged_in, commune, east, war_invalid):
    _many(commune, war_invalid, east, 60)

    first = logged_in.post(reverse("person_list"), {"q": "hoang", "village": east.pk}, follow=True)
    ((address, _status),) = first.redirect_chain
    key = parse_qs(address.split("?", 1)[1])["tim"][0]
    second = logged_in.get(reverse("person_list"), {"tim": key, "village": east.pk, "page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 10
    assert first.context["page"].paginator.count == 60
    html = first.content.decode()
    next_link = re.search(r'<a href="[^"?]*\?([^"]+)" rel="next">Sau', html).group(1)
    assert parse_qs(unescape(next_link)) == {
        "tim": [key],
        "village": [str(east.pk)],
        "page": ["2"],
    }
    assert "Hiển thị 1–50 trong 60" in html
    assert "Hiển thị 51–60 trong 60" in second.content.decode()
    assert ">51<" in second.content.decode()


def test_a_page_out_of_range_shows_the_last_page(logged_in, commune, east, war_invalid):
    _many(commune, war_invalid, east, 60)

    for page in ("99", "abc"):
        response = logged_in.get(reverse("person_list"), {"page": page})
        assert response.status_code == 200
    assert logged_in.get(reverse("person_list"), {"page": "99"}).context["page"].number == 2


def _list_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("person_list"), params)
    assert response.status_code == 200
    return len(queries)


def test_the_list_does_not_grow_in_queries_with_the_data(
    logged_in, commune, east, war_invalid, django_assert_max_num_queries
):
    _many(commune, war_invalid, east, 5)
    few = _list_queries(logged_in)
    _many(commune, war_invalid, VillageFactory(commune=commune, name="Thôn Bắc"), 55)

    searched = logged_in.post(reverse("person_list"), {"q": "hoang", "method": "account"})
    # 12 reads, and the session's write of the list's new address (three statements):
    # the person page's link back to the list returns to it.
    with django_assert_max_num_queries(15):
        response = logged_in.get(searched["Location"])
    many = _list_queries(logged_in)

    assert response.status_code == 200
    assert many == few


# --- The person form ------------------------------------------------------------------------


def _person_data(commune, village=None, **changes) -> dict[str, str]:
    data = {
        "full_name": "Nguyễn Thị Hằng",
        "birth_date": "15/03/1950",
        "birth_year": "",
        "gender": "F",
        "personal_id": "038150001234",
        "phone": "0912345678",
        "commune": str(commune.pk),
        "village": str(village.pk) if village else "",
        "address": "Xóm 2",
        "date_of_death": "",
    }
    data.update(changes)
    return data


def test_the_officer_adds_a_person(logged_in, officer, commune, east, provinces):
    response = logged_in.post(reverse("person_create"), _person_data(commune, east))

    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert (person.full_name, person.birth_year, person.commune, person.village) == (
        "Nguyễn Thị Hằng",
        1950,
        commune,
        east,
    )
    assert person.history.get().history_user == officer


def test_a_person_with_only_a_birth_year_is_accepted(logged_in, commune, provinces):
    data = _person_data(commune, birth_date="", birth_year="1938", personal_id="")

    response = logged_in.post(reverse("person_create"), data, follow=True)

    person = Person.objects.get()
    assert (person.birth_date, person.birth_year, person.personal_id) == (None, 1938, None)
    assert "1938" in response.content.decode()
    assert "chỉ có năm sinh" in response.content.decode()


def test_a_personal_id_typed_with_spaces_is_cleaned(logged_in, commune, provinces):
    logged_in.post(reverse("person_create"), _person_data(commune, personal_id="038 150 001 234"))

    assert Person.objects.get().personal_id == "038150001234"


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "+84 912 345 678",
        "(+84) 912345678",
    ],
)
def test_a_phone_typed_with_separators_or_the_country_code_is_cleaned(
    logged_in, commune, provinces, typed
):
    logged_in.post(reverse("person_create"), _person_data(commune, phone=typed))

    assert Person.objects.get().phone == "0912345678"


def _errors(client, url, data) -> dict[str, list[str]]:
    response = client.post(url, data)
    assert response.status_code == 200, "the form should have been refused"
    return {
        field: [str(e) for e in errors] for field, errors in response.context["form"].errors.items()
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"personal_id": "03815000123"},
            "personal_id",
            "Số CCCD phải gồm đúng 12 chữ số (ô này có 11 chữ số).",
        ),
        (
            {"personal_id": "123456789"},
            "personal_id",
            "Đây là số CMND 9 chữ số (hết hiệu lực từ 31/12/2024); cần số CCCD 12 chữ số.",
        ),
        (
            {"personal_id": "097150001234"},
            "personal_id",
            "Mã tỉnh 097 ở 3 chữ số đầu số CCCD không có trong danh mục tỉnh, thành phố.",
        ),
        ({"birth_date": "01/01/2999"}, "birth_date", "Ngày sinh không thể ở tương lai."),
        (
            {"birth_date": "", "birth_year": ""},
            "birth_date",
            "Nhập ngày sinh hoặc ít nhất năm sinh.",
        ),
        ({"birth_date": "", "birth_year": "1850"}, "birth_year", "Năm sinh không hợp lệ."),
        ({"birth_year": "1951"}, "birth_year", "Năm sinh không khớp với ngày sinh."),
        ({"full_name": "Hằng"}, "full_name", "Nhập đầy đủ họ và tên (ít nhất hai chữ)."),
        ({"date_of_death": "01/01/2999"}, "date_of_death", "Ngày mất không thể ở tương lai."),
    ],
)
def test_the_person_form_refuses_bad_values_with_a_vietnamese_message(
    logged_in, commune, provinces, changes, field, message
):
    errors = _errors(logged_in, reverse("person_create"), _person_data(commune, **changes))

    assert message in errors[field]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "phone",
    ["12345", "0212345678", "abc", "09123456789"],
)
def test_the_person_form_refuses_a_malformed_phone(logged_in, commune, provinces, phone):
    errors = _errors(logged_in, reverse("person_create"), _person_data(commune, phone=phone))

    assert errors["phone"]
    assert all("điện thoại" in message.lower() for message in errors["phone"]), errors


def test_a_village_of_another_commune_is_refused(logged_in, commune, other_commune, provinces):
    elsewhere = VillageFactory(commune=other_commune, name="Thôn Xa")

    errors = _errors(logged_in, reverse("person_create"), _person_data(commune, elsewhere))

    assert errors["village"][0].startswith("Hãy chọn một lựa chọn hợp lệ.")


def test_a_personal_id_used_by_another_person_is_refused_without_naming_them(
    logged_in, commune, other_commune, provinces
):
    PersonFactory(commune=other_commune, full_name="Trần Văn Khác", personal_id="038150001234")

    response = logged_in.post(reverse("person_create"), _person_data(commune))

    assert response.status_code == 200
    errors = response.context["form"].errors["personal_id"]
    assert "đã được dùng cho một người khác" in errors[0]
    html = response.content.decode()
    assert "Trần Văn Khác" not in html
    assert "TRAN VAN KHAC" not in html
    assert Person.objects.count() == 1


def test_editing_a_person_keeps_their_own_personal_id(logged_in, officer, commune, east, provinces):
    person = PersonFactory(
        commune=commune, village=east, full_name="Nguyễn Thị Hằng", personal_id="038150001234"
    )

    response = logged_in.post(
        reverse("person_edit", args=[person.pk]), _person_data(commune, east, address="Xóm 9")
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.address == "Xóm 9"


def test_warnings_are_shown_when_the_personal_id_disagrees_with_the_record(
    logged_in, commune, provinces
):
    # The number says a woman born in 1950; the record says a man born in 1952.
    data = _person_data(commune, full_name="Nguyễn Văn Hải", birth_date="02/02/1952", gender="M")

    response = logged_in.post(reverse("person_create"), data, follow=True)

    assert Person.objects.filter(full_name="Nguyễn Văn Hải").exists()
    messages = [str(m) for m in response.context["messages"]]
    assert "Năm sinh theo số CCCD (1950) khác năm sinh trong hồ sơ (1952)." in messages
    assert "Giới tính theo số CCCD (Nữ) khác giới tính trong hồ sơ (Nam)." in messages
    html = response.content.decode()
    assert 'class="msg warning"' in html
    assert "Đã lưu thông tin của Nguyễn Văn Hải." in html


def test_no_warning_when_the_personal_id_agrees(logged_in, commune, provinces):
    response = logged_in.post(reverse("person_create"), _person_data(commune), follow=True)

    levels = [m.level_tag for m in response.context["messages"]]
    assert levels == ["success"]


def test_the_history_names_the_officer_who_changed_a_person(
    logged_in, officer, commune, east, provinces
):
    logged_in.post(reverse("person_create"), _person_data(commune, east))
    person = Person.objects.get()

    response = logged_in.post(
        reverse("person_edit", args=[person.pk]),
        _person_data(commune, east, phone="0987654321"),
        follow=True,
    )

    latest = person.history.latest()
    assert (latest.history_type, latest.history_user) == ("~", officer)
    html = response.content.decode()
    assert "canbo" in html
    assert "0912345678 → 0987654321" in html


# --- The enrolment form ---------------------------------------------------------------------


@pytest.fixture
def person(commune, east):
    return PersonFactory(commune=commune, village=east, full_name="Nguyễn Thị Hằng")


def _enrolment_data(programme, category, **changes) -> dict[str, str]:
    data = {
        "programme": str(programme.pk),
        "category": str(category.pk),
        "decision_number": "123/QĐ-UBND",
        "decision_date": "15/06/2023",
        "start_month": "01/07/2023",
        "end_month": "",
        "end_reason": "",
        "status": Beneficiary.Status.ACTIVE,
        "note": "",
    }
    data.update(changes)
    return data


def test_the_officer_enrols_a_person(logged_in, officer, person, ncc, war_invalid):
    response = logged_in.post(
        reverse("beneficiary_create", args=[person.pk]), _enrolment_data(ncc, war_invalid)
    )

    assert response.status_code == 302
    beneficiary = Beneficiary.objects.get()
    assert (beneficiary.person, beneficiary.commune, beneficiary.category) == (
        person,
        person.commune,
        war_invalid,
    )
    assert beneficiary.history.get().history_user == officer


def test_a_category_of_another_programme_is_refused(logged_in, person, ncc, elderly_category):
    errors = _errors(
        logged_in,
        reverse("beneficiary_create", args=[person.pk]),
        _enrolment_data(ncc, elderly_category),
    )

    assert errors["category"] == ["Diện đối tượng không thuộc chương trình đã chọn."]
    assert not Beneficiary.objects.exists()


def test_an_end_month_before_the_start_is_refused(logged_in, person, ncc, war_invalid):
    errors = _errors(
        logged_in,
        reverse("beneficiary_create", args=[person.pk]),
        _enrolment_data(ncc, war_invalid, end_month="01/06/2023"),
    )

    assert errors["end_month"] == ["Tháng thôi hưởng phải sau tháng bắt đầu hưởng."]


@pytest.mark.parametrize("typed", ["07/2023", "7/2023", "15/07/2023", "01/07/2023"])
def test_a_month_is_typed_as_mm_yyyy_or_as_any_day_of_it(
    logged_in, person, ncc, war_invalid, typed
):
    logged_in.post(
        reverse("beneficiary_create", args=[person.pk]),
        _enrolment_data(ncc, war_invalid, start_month=typed),
    )

    assert Beneficiary.objects.get().start_month == datetime.date(2023, 7, 1)


@pytest.mark.parametrize("typed", ["13/2023", "7-23", "tháng 7", "31/02/2023"])
def test_a_malformed_month_is_refused(logged_in, person, ncc, war_invalid, typed):
    errors = _errors(
        logged_in,
        reverse("beneficiary_create", args=[person.pk]),
        _enrolment_data(ncc, war_invalid, start_month=typed),
    )

    assert errors["start_month"] == ["Nhập tháng dạng mm/yyyy, ví dụ 12/2026."]


def test_ending_an_enrolment_takes_the_month_as_mm_yyyy(logged_in, person, ncc, war_invalid):
    logged_in.post(
        reverse("beneficiary_create", args=[person.pk]), _enrolment_data(ncc, war_invalid)
    )
    enrolment = Beneficiary.objects.get()
    url = reverse("beneficiary_edit", args=[enrolment.pk])
    assert 'value="07/2023"' in logged_in.get(url).content.decode()

    response = logged_in.post(
        url,
        _enrolment_data(
            ncc,
            war_invalid,
            status=Beneficiary.Status.ENDED,
            end_month="12/2026",
            end_reason=Beneficiary.EndReason.MOVED,
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_month) == (
        Beneficiary.Status.ENDED,
        datetime.date(2026, 12, 1),
    )


def test_an_ended_enrolment_needs_a_month_and_a_reason(logged_in, person, ncc, war_invalid):
    errors = _errors(
        logged_in,
        reverse("beneficiary_create", args=[person.pk]),
        _enrolment_data(ncc, war_invalid, status=Beneficiary.Status.ENDED),
    )

    assert errors["end_month"] == ["Đối tượng đã thôi hưởng cần có tháng thôi hưởng."]
    assert errors["end_reason"] == ["Nêu lý do thôi hưởng."]


def test_a_second_live_enrolment_in_the_same_category_is_refused(
    logged_in, person, ncc, war_invalid
):
    BeneficiaryFactory(person=person, category=war_invalid)

    errors = _errors(
        logged_in,
        reverse("beneficiary_create", args=[person.pk]),
        _enrolment_data(ncc, war_invalid, start_month="01/01/2024"),
    )

    assert errors["category"] == ["Người này đang hưởng diện này; không thể thêm lần nữa."]
    assert Beneficiary.objects.count() == 1


def test_a_new_enrolment_is_accepted_after_the_old_one_ended(logged_in, person, ncc, war_invalid):
    BeneficiaryFactory(
        person=person,
        category=war_invalid,
        status=Beneficiary.Status.ENDED,
        end_month=datetime.date(2024, 1, 1),
        end_reason=Beneficiary.EndReason.MOVED,
    )

    response = logged_in.post(
        reverse("beneficiary_create", args=[person.pk]),
        _enrolment_data(ncc, war_invalid, start_month="01/03/2024"),
    )

    assert response.status_code == 302
    assert Beneficiary.objects.count() == 2


def test_editing_an_enrolment_does_not_clash_with_itself(logged_in, person, ncc, war_invalid):
    beneficiary = BeneficiaryFactory(person=person, category=war_invalid)

    response = logged_in.post(
        reverse("beneficiary_edit", args=[beneficiary.pk]),
        _enrolment_data(ncc, war_invalid, decision_number="999/QĐ-UBND"),
    )

    assert response.status_code == 302
    beneficiary.refresh_from_db()
    assert beneficiary.decision_number == "999/QĐ-UBND"


# --- The representative form ----------------------------------------------------------------


def _representative_data(who, **changes) -> dict[str, str]:
    data = {
        "person": who.personal_id,
        "kind": Representative.Kind.PROXY,
        "relationship": "Con gái",
        "document": "Giấy ủy quyền số 12/2023",
        "valid_from": "01/07/2023",
        "valid_until": "",
    }
    data.update(changes)
    return data


def test_a_person_cannot_represent_themself(logged_in, person):
    errors = _errors(
        logged_in,
        reverse("representative_create", args=[person.pk]),
        _representative_data(person),
    )

    assert errors["person"] == ["Người nhận thay không thể là chính đối tượng."]
    assert not Representative.objects.exists()


def test_a_representative_is_typed_as_a_cccd_with_spaces_or_dots(logged_in, person, commune):
    daughter = PersonFactory(commune=commune, full_name="Lê Thị Con")
    spaced = " ".join(
        [daughter.personal_id[:3], daughter.personal_id[3:6], daughter.personal_id[6:]]
    )

    response = logged_in.post(
        reverse("representative_create", args=[person.pk]),
        _representative_data(daughter, person=spaced),
    )

    assert response.status_code == 302
    assert Representative.objects.get().person == daughter


def test_a_representative_of_another_commune_cannot_be_typed_in(logged_in, person, other_commune):
    stranger = PersonFactory(commune=other_commune, full_name="Đỗ Văn Lạ")

    errors = _errors(
        logged_in,
        reverse("representative_create", args=[person.pk]),
        _representative_data(stranger),
    )

    assert "Không có ai mang số CCCD này" in errors["person"][0]
    assert "Đỗ Văn Lạ" not in errors["person"][0]


def test_the_person_themself_is_not_offered_as_representative(logged_in, person, commune):
    daughter = PersonFactory(commune=commune, full_name="Lê Thị Con")

    response = logged_in.get(reverse("representative_create", args=[person.pk]))

    offered = list(response.context["form"].fields["person"].queryset)
    assert offered == [daughter]


def test_the_officer_adds_a_representative(logged_in, officer, person, commune):
    daughter = PersonFactory(commune=commune, full_name="Lê Thị Con")

    response = logged_in.post(
        reverse("representative_create", args=[person.pk]), _representative_data(daughter)
    )

    assert response.status_code == 302
    representative = Representative.objects.get()
    assert (representative.represented, representative.person) == (person, daughter)
    assert representative.history.get().history_user == officer


def test_a_representation_that_ends_before_it_starts_is_refused(logged_in, person, commune):
    daughter = PersonFactory(commune=commune, full_name="Lê Thị Con")

    errors = _errors(
        logged_in,
        reverse("representative_create", args=[person.pk]),
        _representative_data(daughter, valid_until="01/01/2023"),
    )

    assert errors["valid_until"] == ["Ngày hết hiệu lực phải sau ngày bắt đầu."]


def test_the_commune_of_a_known_person_cannot_be_changed_in_the_form(
    client, reference_data, officer, commune, other_commune
):
    from tests.factories import PersonFactory

    person = PersonFactory(commune=commune, village=None)
    other_commune.members.add(officer)
    client.force_login(officer)
    client.post(
        reverse("person_edit", args=[person.pk]),
        {
            "full_name": person.full_name,
            "birth_year": "1950",
            "birth_date": "15/03/1950",
            "gender": "M",
            "personal_id": person.personal_id,
            "phone": "0912345678",
            "commune": other_commune.pk,
        },
    )
    person.refresh_from_db()
    assert person.phone == "0912345678"  # the form was saved …
    assert person.commune == commune  # … without moving the person
