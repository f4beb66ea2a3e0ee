"""The registry list's sorting, page numbers, search kept out of the address, export of
what the filters select, and the way back from a person to the same list."""

from __future__ import annotations

import datetime
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries.models import Beneficiary, Person
from core import roles
from desk.registry import SEARCH_SESSION_KEY, parse_sort, recall_search, remember_search
from registration.models import PaymentMethodRegistration
from tests.factories import (
    BeneficiaryFactory,
    CategoryFactory,
    EntitlementFactory,
    PaymentAccountFactory,
    PersonFactory,
    ProgrammeFactory,
    RegistrationFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def villages(commune):
    return {
        name: VillageFactory(commune=commune, name=name)
        for name in ("Thôn Bắc", "Thôn Đông", "Thôn Tây")
    }


@pytest.fixture
def people(commune, villages):
    """Five enrolments whose name, birth, village, category and status orders all differ."""
    ncc = ProgrammeFactory()
    invalid = CategoryFactory(programme=ncc, code="NCC_TB", short_name="Thương binh")
    martyr = CategoryFactory(programme=ncc, code="NCC_LS", short_name="Thân nhân liệt sĩ")
    rows = [
        # name, village, birth date (or year), category, status
        ("Nguyễn Thị Hằng", "Thôn Đông", datetime.date(1950, 3, 15), invalid, "active"),
        ("Trần Văn Bình", "Thôn Tây", datetime.date(1938, 1, 2), martyr, "suspended"),
        ("Lê Thị An", "Thôn Bắc", 1945, invalid, "ended"),
        ("Phạm Văn Cường", None, datetime.date(1960, 7, 1), martyr, "active"),
        ("Đỗ Thị Yến", "Thôn Đông", datetime.date(1945, 5, 5), invalid, "active"),
    ]
    made = {}
    for n, (name, village, birth, category, status) in enumerate(rows):
        year_only = isinstance(birth, int)
        person = PersonFactory(
            commune=commune,
            full_name=name,
            village=villages[village] if village else None,
            birth_date=None if year_only else birth,
            birth_year=birth if year_only else birth.year,
            personal_id=f"0381500{n:05d}",
        )
        extra = {"end_month": datetime.date(2024, 1, 1), "end_reason": "death"}
        beneficiary = BeneficiaryFactory(
            person=person,
            category=category,
            status=status,
            **(extra if status == "ended" else {}),
        )
        EntitlementFactory(beneficiary=beneficiary, amount=1_080_000 + n * 1000)
        made[name] = beneficiary
    return made


def _names(response) -> list[str]:
    assert response.status_code == 200
    return [b.person.full_name for b in response.context["page"]]


def _listed(client, **params) -> list[str]:
    return _names(client.get(reverse("person_list"), params))


# --- Sorting --------------------------------------------------------------------------------


def test_the_list_is_sorted_by_given_name_and_back(logged_in, people):
    ascending = ["Lê Thị An", "Trần Văn Bình", "Phạm Văn Cường", "Nguyễn Thị Hằng", "Đỗ Thị Yến"]
    assert _listed(logged_in) == ascending
    assert _listed(logged_in, sap="ten") == ascending
    assert _listed(logged_in, sap="-ten") == ascending[::-1]


def test_the_list_sorts_by_village_with_no_village_last_and_names_within(logged_in, people):
    assert _listed(logged_in, sap="thon") == [
        "Lê Thị An",  # Thôn Bắc
        "Nguyễn Thị Hằng",  # Thôn Đông, H before Y
        "Đỗ Thị Yến",
        "Trần Văn Bình",  # Thôn Tây
        "Phạm Văn Cường",  # no village
    ]
    assert _listed(logged_in, sap="-thon") == [
        "Trần Văn Bình",
        "Nguyễn Thị Hằng",
        "Đỗ Thị Yến",
        "Lê Thị An",
        "Phạm Văn Cường",
    ]


def test_the_list_sorts_by_birth_with_a_year_alone_before_the_dates_of_that_year(logged_in, people):
    assert _listed(logged_in, sap="ngay-sinh") == [
        "Trần Văn Bình",  # 1938
        "Lê Thị An",  # 1945, year only
        "Đỗ Thị Yến",  # 05/05/1945
        "Nguyễn Thị Hằng",  # 1950
        "Phạm Văn Cường",  # 1960
    ]
    assert _listed(logged_in, sap="-ngay-sinh")[0] == "Phạm Văn Cường"


def test_the_list_sorts_by_category_and_by_status(logged_in, people):
    assert _listed(logged_in, sap="dien") == [
        "Trần Văn Bình",  # Thân nhân liệt sĩ
        "Phạm Văn Cường",
        "Lê Thị An",  # Thương binh
        "Nguyễn Thị Hằng",
        "Đỗ Thị Yến",
    ]
    # In the order the statuses are listed: active, suspended, ended.
    assert _listed(logged_in, sap="trang-thai") == [
        "Phạm Văn Cường",
        "Nguyễn Thị Hằng",
        "Đỗ Thị Yến",
        "Trần Văn Bình",
        "Lê Thị An",
    ]


@pytest.mark.parametrize("value", ["", "bogus", "-", "--ten", "person__personal_id"])
def test_an_unknown_sort_is_the_name_order(logged_in, people, value):
    assert parse_sort(value) == ("ten", False)
    assert _listed(logged_in, sap=value)[0] == "Lê Thị An"


def _header(html: str, label: str) -> str:
    return re.search(rf"<th[^>]*>(?:(?!</th>).)*{label}(?:(?!</th>).)*</th>", html).group(0)


def test_a_header_click_toggles_the_order_and_says_so(logged_in, people):
    html = logged_in.get(reverse("person_list"), {"sap": "thon", "village": ""}).content.decode()

    village = _header(html, "Thôn")
    assert 'aria-sort="ascending"' in village and "▲" in village
    assert parse_qs(urlsplit(unescape(re.search(r'href="([^"]+)"', village).group(1))).query)[
        "sap"
    ] == ["-thon"]
    name = _header(html, "Họ và tên")
    assert "aria-sort" not in name
    assert "sap=ten" in name

    html = logged_in.get(reverse("person_list"), {"sap": "-thon"}).content.decode()
    village = _header(html, "Thôn")
    assert 'aria-sort="descending"' in village and "▼" in village
    assert "sap=thon" in village and "sap=-thon" not in village


def test_sorting_keeps_the_filters_and_returns_to_the_first_page(logged_in, people, villages):
    east = villages["Thôn Đông"].pk
    html = logged_in.get(
        reverse("person_list"), {"village": east, "page": "1", "sap": "ten"}
    ).content.decode()
    link = unescape(re.search(r'href="([^"]+)" data-sort="ngay-sinh"', html).group(1))
    assert parse_qs(urlsplit(link).query) == {"village": [str(east)], "sap": ["ngay-sinh"]}


# --- Pages ----------------------------------------------------------------------------------


def _many(commune, count: int) -> None:
    """``count`` enrolments in bulk: a thousand factories would take too long."""
    category = CategoryFactory()
    people = []
    for n in range(count):
        person = Person(
            commune=commune,
            full_name=f"Hoàng Văn Số {n:04d}",
            birth_year=1950,
            gender=Person.Gender.MALE,
        )
        person.normalize_fields()
        people.append(person)
    people = Person.objects.bulk_create(people)
    Beneficiary.objects.bulk_create(
        Beneficiary(
            person=person,
            commune=commune,
            programme=category.programme,
            category=category,
            start_month=datetime.date(2024, 1, 1),
        )
        for person in people
    )


def test_the_pager_numbers_pages_around_the_current_one(logged_in, commune):
    _many(commune, 1234)

    response = logged_in.get(reverse("person_list"), {"page": "12"})
    html = response.content.decode()

    assert "Hiển thị 551–600 trong 1.234" in html
    pager = re.search(r'<nav class="pager".*?</nav>', html, re.S).group(0)
    shown = re.findall(r">(\d+|…)<", pager)
    assert shown == ["1", "…", "10", "11", "12", "13", "14", "…", "25"]
    assert 'aria-current="page">12<' in pager
    for rel, page in (("prev", "11"), ("next", "13")):
        link = unescape(re.search(rf'href="([^"]+)" rel="{rel}"', pager).group(1))
        assert parse_qs(urlsplit(link).query)["page"] == [page]
    assert "Trang đầu" in pager and "Trang cuối" in pager

    last = logged_in.get(reverse("person_list"), {"page": "25"}).content.decode()
    assert "Hiển thị 1.201–1.234 trong 1.234" in last


# --- The search stays out of the address ----------------------------------------------------


def test_a_personal_id_searched_is_never_in_the_address(logged_in, people, villages):
    east = villages["Thôn Đông"].pk
    response = logged_in.post(
        reverse("person_list"), {"q": "038150000000", "village": east, "sap": "thon"}
    )

    assert response.status_code == 303
    address = response["Location"]
    assert "038150000000" not in address
    params = parse_qs(urlsplit(address).query)
    assert params["village"] == [str(east)] and params["sap"] == ["thon"]
    key = params["tim"][0]
    assert recall_search(logged_in.session, key) == "038150000000"

    page = logged_in.get(address)
    assert _names(page) == ["Nguyễn Thị Hằng"]
    html = page.content.decode()
    # The box shows the term; no link of the page carries it.
    assert 'value="038150000000"' in html
    assert all("038150000000" not in href for href in re.findall(r'href="([^"]*)"', html))


def test_an_account_number_searched_is_kept_in_the_session_only(logged_in, people):
    hang = people["Nguyễn Thị Hằng"]
    account = PaymentAccountFactory(holder=hang.person, number="3500205987654")
    RegistrationFactory(
        beneficiary=hang, method=PaymentMethodRegistration.Method.ACCOUNT, account=account
    )

    response = logged_in.post(reverse("person_list"), {"q": "3500 2059 87654"}, follow=True)

    assert _names(response) == ["Nguyễn Thị Hằng"]
    ((address, status),) = response.redirect_chain
    assert status == 303 and "3500" not in address
    assert list(logged_in.session[SEARCH_SESSION_KEY].values()) == ["3500 2059 87654"]


def test_an_address_with_the_search_in_it_is_rewritten_without(logged_in, people):
    response = logged_in.get(reverse("person_list"), {"q": "038150000000", "status": "active"})

    assert response.status_code == 303
    assert "038150000000" not in response["Location"]
    assert _names(logged_in.get(response["Location"])) == ["Nguyễn Thị Hằng"]


def test_a_search_key_means_nothing_in_another_session(client, logged_in, officer, people):
    address = logged_in.post(reverse("person_list"), {"q": "038150000000"})["Location"]

    other = type(client)()
    other.force_login(officer)
    response = other.get(address, follow=True)

    assert len(_names(response)) == len(people)
    assert "hết hạn" in response.content.decode()
    assert "tim=" not in response.context["headers"][1]["url"]


def test_the_same_term_keeps_its_key_and_old_searches_are_dropped(rf):
    session: dict = {}
    first = remember_search(session, "038150000000")
    assert remember_search(session, "038150000000") == first
    for n in range(25):
        remember_search(session, f"tên {n}")
    assert len(session[SEARCH_SESSION_KEY]) == 20
    assert recall_search(session, first) is None
    assert recall_search(session, "") is None


# --- The export takes the list's selection --------------------------------------------------


def _exported_names(response) -> list[str]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    name = rows[header].index("Họ và tên")
    return [row[name] for row in rows[header + 1 :] if isinstance(row[0], int)]


def test_the_export_button_exports_what_the_filters_select(client, accountant, people, villages):
    client.force_login(accountant)
    east = villages["Thôn Đông"].pk
    page = client.post(
        reverse("person_list"), {"q": "nguyen", "village": east, "sap": "-ten"}, follow=True
    )
    html = page.content.decode()
    link = unescape(re.search(r'data-testid="registry-export" href="([^"]+)"', html).group(1))

    assert "nguyen" not in link and "sap=" not in link and "page=" not in link
    assert _exported_names(client.get(link)) == ["Nguyễn Thị Hằng"]
    # Without filters: every live enrolment (the ended one is left out).
    assert _exported_names(client.get(reverse("registry_export"))) == [
        "Trần Văn Bình",
        "Phạm Văn Cường",
        "Nguyễn Thị Hằng",
        "Đỗ Thị Yến",
    ]


def test_the_export_of_a_list_filtered_on_ended_enrolments_has_them(client, accountant, people):
    client.force_login(accountant)
    response = client.get(reverse("registry_export"), {"status": "ended"})
    assert _exported_names(response) == ["Lê Thị An"]


def test_the_printable_export_takes_the_filters_too(client, accountant, people, villages):
    client.force_login(accountant)
    response = client.get(
        reverse("registry_export"), {"ban": "in", "village": villages["Thôn Tây"].pk}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    names = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert "Trần Văn Bình" in names
    assert not names & {"Nguyễn Thị Hằng", "Đỗ Thị Yến", "Phạm Văn Cường"}


def test_the_export_of_a_village_is_of_its_commune_for_a_user_of_several(
    client, commune, other_commune, people
):
    user = UserFactory(
        username="ketoan_hai_xa", role=roles.ACCOUNTANT, communes=[commune, other_commune]
    )
    there = VillageFactory(commune=other_commune, name="Thôn Nam")
    person = PersonFactory(commune=other_commune, village=there, full_name="Mai Văn Xa")
    BeneficiaryFactory(person=person, category=people["Lê Thị An"].category)
    client.force_login(user)

    assert _exported_names(client.get(reverse("registry_export"), {"village": there.pk})) == [
        "Mai Văn Xa"
    ]


def test_the_export_button_is_only_for_roles_that_see_money(client, police, logged_in, people):
    assert 'data-testid="registry-export"' in logged_in.get(reverse("person_list")).content.decode()
    client.force_login(police)
    assert (
        'data-testid="registry-export"' not in client.get(reverse("person_list")).content.decode()
    )


# --- From a person back to the same list ----------------------------------------------------


def test_the_person_page_leads_back_to_the_same_filters_sort_and_page(logged_in, people, villages):
    east = villages["Thôn Đông"].pk
    address = logged_in.post(reverse("person_list"), {"q": "thi", "village": east, "sap": "-ten"})[
        "Location"
    ]
    listed = logged_in.get(address + "&page=1")
    assert _names(listed) == ["Đỗ Thị Yến", "Nguyễn Thị Hằng"]

    person = people["Đỗ Thị Yến"].person
    html = logged_in.get(reverse("person_detail", args=[person.pk])).content.decode()
    back = unescape(re.search(r'href="([^"]+)" data-testid="back-to-list"', html).group(1))

    assert parse_qs(urlsplit(back).query) == parse_qs(urlsplit(address + "&page=1").query)
    assert _names(logged_in.get(back)) == ["Đỗ Thị Yến", "Nguyễn Thị Hằng"]


def test_the_person_page_leads_to_the_whole_list_when_none_was_opened(logged_in, people):
    person = people["Lê Thị An"].person
    html = logged_in.get(reverse("person_detail", args=[person.pk])).content.decode()
    back = re.search(r'href="([^"]+)" data-testid="back-to-list"', html).group(1)
    assert back == reverse("person_list")
