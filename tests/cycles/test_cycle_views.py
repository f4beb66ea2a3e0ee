"""The cycle pages: the list, one cycle, its payments and changes, the actions, the switch to cash."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beneficiaries.models import Person
from payments.models import Payment, PaymentCycle
from payments.services.cycles import approve_cycle, mark_cycle_paid, open_cycle, submit_cycle
from payments.services.results import record_result
from registration.models import PaymentMethodRegistration
from tests.confirming import confirm_post
from tests.conftest import local_moment
from tests.cycles.conftest import SEP, enrol
from tests.factories import PaymentAccountFactory, RegistrationFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

AUG = datetime.date(2023, 8, 1)
OCT = datetime.date(2023, 10, 1)
BEFORE_DUE = datetime.date(2023, 9, 3)
PAID_ON = datetime.date(2023, 9, 12)


def _with_account(enrolment, *, representative=None):
    holder = representative.person if representative is not None else enrolment.person
    account = PaymentAccountFactory(holder=holder)
    RegistrationFactory(
        beneficiary=enrolment,
        method="account",
        account=account,
        representative=representative,
        from_month=datetime.date(2023, 7, 1),
    )
    return account


@pytest.fixture
def people(commune, reference_data):
    an = enrol(commune, full_name="Phan Văn An")
    binh = enrol(commune, full_name="Lê Thị Bình", amount=1_624_000)
    proxy = RepresentativeFactory(represented=binh.person)
    _with_account(an)
    _with_account(binh, representative=proxy)
    return an, binh


@pytest.fixture
def draft(commune, officer, people, verify_all):
    verify_all()
    return open_cycle(commune, SEP, actor=officer).cycle


@pytest.fixture
def submitted(draft, leader, officer):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    return submit_cycle(draft, actor=officer, today=BEFORE_DUE)


@pytest.fixture
def other_cycle(other_commune, other_officer, reference_data):
    enrol(other_commune, full_name="Người Xã Khác")
    return open_cycle(other_commune, SEP, actor=other_officer).cycle


def _login(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    return user


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- access: the right user, a same-commune user of another role, another commune ----

PAGES = ["cycle_detail", "cycle_payments", "cycle_changes"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer", 200),
        ("accountant", 200),
        ("leader", 200),
        ("district", 404),  # a draft: the district sees submitted cycles only
        ("police", 403),
        ("post_office", 403),
        ("other_officer", 404),
    ],
)
def test_a_draft_cycles_pages_by_role(client, request, draft, name, who, status):
    _login(client, request, who)
    assert client.get(reverse(name, args=[draft.pk])).status_code == status


@pytest.mark.parametrize("name", PAGES)
def test_the_district_reads_a_submitted_cycle(client, district, submitted, name):
    client.force_login(district)
    assert client.get(reverse(name, args=[submitted.pk])).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 200), ("leader", 200), ("police", 403), ("post_office", 403)],
)
def test_the_cycles_page_by_role(client, request, draft, who, status):
    _login(client, request, who)
    assert client.get(reverse("cycle_list")).status_code == status


def test_another_communes_cycles_page_is_not_found(client, other_officer, draft, commune):
    client.force_login(other_officer)
    assert client.get(reverse("cycle_list"), {"xa": commune.pk}).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 302), ("leader", 403), ("accountant", 403), ("other_officer", 404)],
)
def test_only_the_officer_opens_a_cycle(client, request, commune, people, who, status):
    _login(client, request, who)
    response = client.post(reverse("cycle_open"), {"xa": commune.pk, "thang": "2023-09"})
    assert response.status_code == status
    assert PaymentCycle.objects.filter(commune=commune).exists() == (status == 302)


@pytest.mark.parametrize(
    ("action", "who", "status"),
    [
        ("phe-duyet", "leader", 302),
        ("phe-duyet", "officer", 403),
        ("phe-duyet", "other_officer", 404),
        ("lap-lai", "officer", 302),
        ("lap-lai", "leader", 403),
        ("lap-lai", "accountant", 403),
        ("lap-lai", "other_officer", 404),
        ("lap-lai", "police", 403),
    ],
)
def test_the_actions_by_role(client, request, draft, action, who, status):
    _login(client, request, who)
    response = confirm_post(client, reverse("cycle_action", args=[draft.pk, action]))
    assert response.status_code == status


def test_an_unknown_action_is_not_found(client, officer, draft):
    client.force_login(officer)
    assert client.post(reverse("cycle_action", args=[draft.pk, "xoa"])).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 302), ("accountant", 403), ("leader", 403), ("other_officer", 404)],
)
def test_only_the_officer_switches_a_payment_to_cash(client, request, submitted, who, status):
    payment = submitted.payments.get(beneficiary__person__full_name="Phan Văn An")
    record_result(payment, status="failed", reason="Tài khoản đã đóng", actor=None)
    _login(client, request, who)
    response = client.post(reverse("payment_switch_to_cash", args=[payment.pk]))
    assert response.status_code == status
    cash = PaymentMethodRegistration.objects.filter(beneficiary=payment.beneficiary, method="cash")
    assert cash.exists() == (status == 302)


def test_navigation_shows_the_cycles_to_the_roles_that_see_them(client, request, commune):
    for who, shown in [("officer", True), ("district", True), ("police", False)]:
        _login(client, request, who)
        labels = {label for label, _url in client.get(reverse("home")).context["nav_items"]}
        assert ("Kỳ chi trả" in labels) == shown


# --- the cycles page and opening -------------------------------------------------------


def test_the_cycles_page_lists_newest_first_with_due_date_people_and_total(
    client, officer, commune, people, verify_all, other_cycle
):
    open_cycle(commune, AUG, actor=officer)
    open_cycle(commune, SEP, actor=officer)
    client.force_login(officer)
    response = client.get(reverse("cycle_list"))
    page = response.content.decode()
    assert page.index("09/2023") < page.index("08/2023")
    assert "05/09/2023" in page and "3.679.000 đ" in page
    assert "Người Xã Khác" not in page and response.context["commune"] == commune
    assert response.context["suggested"] == OCT  # the month after the latest
    assert "Lập kỳ chi trả" in page


def test_the_deadline_reads_days_left_overdue_or_late(client, officer, draft, clock):
    from django.utils import timezone

    client.force_login(officer)
    clock.move_to(local_moment(datetime.date(2023, 9, 2)))
    assert "còn 3 ngày" in client.get(reverse("cycle_list")).content.decode()
    clock.move_to(local_moment(datetime.date(2023, 9, 8)))
    assert "quá hạn 3 ngày" in client.get(reverse("cycle_list")).content.decode()
    PaymentCycle.objects.filter(pk=draft.pk).update(
        submitted_at=timezone.now(), submitted_late=True
    )
    assert "gửi muộn" in client.get(reverse("cycle_list")).content.decode()


def test_opening_twice_rebuilds_the_one_draft_and_says_so(client, officer, commune, people):
    client.force_login(officer)
    first = client.post(reverse("cycle_open"), {"xa": commune.pk, "thang": "2023-09"}, follow=True)
    second = client.post(reverse("cycle_open"), {"xa": commune.pk, "thang": "2023-09"}, follow=True)
    assert "đã lập: 2 người, 3.679.000 đ" in " ".join(_messages(first))
    assert "đã lập lại: 2 người, 3.679.000 đ" in " ".join(_messages(second))
    assert PaymentCycle.objects.filter(commune=commune).count() == 1
    assert Payment.objects.count() == 2


def test_a_bad_month_or_an_earlier_month_opens_nothing_and_says_why(
    client, officer, commune, people
):
    open_cycle(commune, SEP, actor=officer)
    client.force_login(officer)
    bad = client.post(reverse("cycle_open"), {"xa": commune.pk, "thang": "13/2023"}, follow=True)
    earlier = client.post(reverse("cycle_open"), {"xa": commune.pk, "thang": "8/2023"}, follow=True)
    assert "Nhập tháng dạng mm/yyyy, ví dụ 12/2026." in " ".join(_messages(bad))
    assert "Đã có kỳ chi trả tháng 09/2023" in " ".join(_messages(earlier))
    assert list(PaymentCycle.objects.values_list("period", flat=True)) == [SEP]


@pytest.mark.parametrize("typed", ["09/2023", "9/2023", "01/09/2023"])
def test_the_month_of_a_new_cycle_is_typed_as_mm_yyyy(client, officer, commune, people, typed):
    client.force_login(officer)
    page = client.get(reverse("cycle_list")).content.decode()
    assert 'placeholder="mm/yyyy" name="thang"' in page

    client.post(reverse("cycle_open"), {"xa": commune.pk, "thang": typed})

    assert list(PaymentCycle.objects.values_list("period", flat=True)) == [SEP]


# --- one cycle ---------------------------------------------------------------------------


def test_the_cycle_page_adds_up_by_programme_method_and_result(client, accountant, draft):
    client.force_login(accountant)
    response = client.get(reverse("cycle_detail", args=[draft.pk]))
    totals = response.context["totals"]
    assert totals.balanced
    for breakdown in (totals.by_programme, totals.by_method, totals.by_status):
        assert (breakdown.count, breakdown.amount) == (2, 3_679_000)
    account = next(line for line in totals.by_method.lines if line.key == "account")
    pending = next(line for line in totals.by_status.lines if line.key == "pending")
    assert (account.count, pending.amount) == (2, 3_679_000)
    page = response.content.decode()
    assert "= tổng kỳ chi trả 3.679.000 đ" in page
    assert "Mọi người trong kỳ đã được xác thực" in page
    assert response.context["actions"] == []  # the accountant reads


def test_the_cycle_page_lists_who_blocks_and_the_leader_is_told_why(client, leader, draft, commune):
    Person.objects.filter(full_name="Phan Văn An").update(
        birth_year=1951
    )  # an edit after the check
    person = Person.objects.get(full_name="Phan Văn An")
    person.full_name = "Phan Văn Ân"
    person.save()
    client.force_login(leader)
    page = client.get(reverse("cycle_detail", args=[draft.pk]))
    assert [b.person_name for b in page.context["blockers"]] == ["Phan Văn Ân"]
    assert "Phê duyệt" in page.content.decode()
    response = confirm_post(
        client, reverse("cycle_action", args=[draft.pk, "phe-duyet"]), follow=True
    )
    said = _messages(response)
    assert "1 người trong kỳ chi trả chưa được xác thực" in said[0]
    assert said[1].startswith("Phan Văn Ân")
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_workflow_through_the_buttons(client, officer, leader, draft):
    url = lambda action: reverse("cycle_action", args=[draft.pk, action])  # noqa: E731
    client.force_login(officer)
    assert "Lập lại" in client.get(reverse("cycle_detail", args=[draft.pk])).content.decode()
    rebuilt = confirm_post(client, url("lap-lai"), follow=True)
    assert "đã lập lại" in " ".join(_messages(rebuilt))
    client.force_login(leader)
    confirm_post(client, url("phe-duyet"))
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("approved", leader)
    client.force_login(officer)
    confirm_post(client, url("gui"))
    confirm_post(client, url("da-chi-tra"))
    refused = confirm_post(client, url("khoa-so"), follow=True)
    assert "Còn 2 khoản chưa có kết quả" in " ".join(_messages(refused))
    for payment in draft.payments.all():
        record_result(payment, status="paid", paid_on=PAID_ON, actor=officer)
    confirm_post(client, url("khoa-so"))
    draft.refresh_from_db()
    assert (draft.status, draft.closed_by) == ("closed", officer)
    page = client.get(reverse("cycle_detail", args=[draft.pk])).content.decode()
    assert "Đã khóa sổ" in page and "Người chưa đủ điều kiện" not in page


def test_a_step_out_of_order_is_refused_with_a_message(client, officer, draft):
    client.force_login(officer)
    response = confirm_post(client, reverse("cycle_action", args=[draft.pk, "gui"]), follow=True)
    assert "cần “Đã phê duyệt”" in " ".join(_messages(response))


def test_the_change_counts_and_the_changes_page(client, officer, commune, people, verify_all):
    verify_all()
    open_cycle(commune, AUG, actor=officer)
    newcomer = enrol(commune, full_name="Trần Văn Mới", start=SEP)
    verify_all()
    sep = open_cycle(commune, SEP, actor=officer).cycle
    assert newcomer.payments.exists()
    client.force_login(officer)
    detail = client.get(reverse("cycle_detail", args=[sep.pk]))
    counts = {kind: n for kind, _label, n in detail.context["changes"]}
    assert counts == {"new": 1, "stopped": 0, "amount": 0, "method": 0, "account": 0}
    changes = client.get(reverse("cycle_changes", args=[sep.pk]))
    rows = list(changes.context["page"])
    assert [(c.kind, c.full_name) for c in rows] == [("new", "Trần Văn Mới")]
    assert "Tăng mới" in changes.content.decode()
    empty = client.get(reverse("cycle_changes", args=[sep.pk]), {"loai": "stopped"})
    assert list(empty.context["page"]) == []


# --- the payments list -------------------------------------------------------------------


def test_the_payments_list_shows_arrears_months_accounts_and_filters(
    client, officer, commune, people, verify_all
):
    verify_all()
    open_cycle(commune, AUG, actor=officer)
    enrol(commune, full_name="Trần Văn Mới", start=AUG, personal_id="038095000777")
    sep = open_cycle(commune, SEP, actor=officer).cycle
    client.force_login(officer)
    url = reverse("cycle_payments", args=[sep.pk])
    page = client.get(url)
    rows = {p.beneficiary.person.full_name: p for p in page.context["page"]}
    assert str(rows["Trần Văn Mới"].covered) == "08/2023–09/2023"
    assert rows["Trần Văn Mới"].covered.arrears
    assert str(rows["Phan Văn An"].covered) == "09/2023"
    html = page.content.decode()
    assert "08/2023–09/2023" in html and "truy lĩnh" in html and "4.110.000 đ" in html
    assert rows["Phan Văn An"].account_number in html
    assert [
        p.beneficiary.person.full_name for p in client.get(url, {"q": "mới"}).context["page"]
    ] == ["Trần Văn Mới"]
    by_id = client.get(url, {"q": "038095000777"}).context["page"]
    assert [p.beneficiary.person.full_name for p in by_id] == ["Trần Văn Mới"]
    cash = client.get(url, {"method": "cash"}).context["page"]
    assert [p.beneficiary.person.full_name for p in cash] == ["Trần Văn Mới"]
    assert list(client.get(url, {"status": "paid"}).context["page"]) == []


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_payments_list_costs_the_same_for_5_and_60_people(
    client, officer, commune, other_commune, reference_data, django_assert_max_num_queries
):
    for n in range(5):
        enrol(commune, full_name=f"Người Ít {n}")
    small = open_cycle(commune, SEP, actor=officer).cycle
    for n in range(60):
        enrol(other_commune, full_name=f"Người Nhiều {n}")
    from tests.factories import UserFactory

    other = UserFactory(username="canbo_nhieu", role="labour_officer", communes=[other_commune])
    big = open_cycle(other_commune, SEP, actor=other).cycle
    client.force_login(officer)
    few = _queries(client, reverse("cycle_payments", args=[small.pk]))
    client.force_login(other)
    many = _queries(client, reverse("cycle_payments", args=[big.pk]))
    assert few == many
    # One of them reads the programmes the user is limited to (none here).
    with django_assert_max_num_queries(11):
        client.get(reverse("cycle_payments", args=[big.pk]), {"page": 2})


# --- switching a failed payment to cash -------------------------------------------------


def test_a_failed_transfer_is_switched_to_cash_from_the_next_month_keeping_the_proxy(
    client, officer, submitted, commune
):
    payment = submitted.payments.get(beneficiary__person__full_name="Lê Thị Bình")
    record_result(payment, status="failed", reason="Sai số tài khoản", actor=officer)
    client.force_login(officer)
    listed = client.get(reverse("cycle_payments", args=[submitted.pk]), {"status": "failed"})
    assert "Chuyển sang tiền mặt" in listed.content.decode()
    response = client.post(reverse("payment_switch_to_cash", args=[payment.pk]), follow=True)
    said = " ".join(_messages(response))
    assert "tiền mặt tại điểm chi trả từ tháng 10/2023" in said
    assert "chi lại ở kỳ chi trả sau" in said
    current = PaymentMethodRegistration.objects.get(
        beneficiary=payment.beneficiary, is_current=True
    )
    assert (current.method, current.from_month) == ("cash", OCT)
    assert current.representative == payment.representative is not None
    mark_cycle_paid(submitted, actor=officer)
    october = open_cycle(commune, OCT, actor=officer).cycle
    again = october.payments.get(beneficiary=payment.beneficiary)
    assert (again.method, again.amount, again.account_number) == ("cash", 2 * 1_624_000, "")
    assert again.receiver_name == payment.receiver_name


def test_an_expired_proxy_is_not_kept_and_the_officer_is_told(client, officer, submitted):
    payment = submitted.payments.get(beneficiary__person__full_name="Lê Thị Bình")
    record_result(payment, status="failed", reason="Sai số tài khoản", actor=officer)
    payment.representative.valid_until = datetime.date(2023, 9, 30)
    payment.representative.save()
    client.force_login(officer)
    response = client.post(reverse("payment_switch_to_cash", args=[payment.pk]), follow=True)
    assert "đối tượng tự nhận" in " ".join(_messages(response))
    current = PaymentMethodRegistration.objects.get(
        beneficiary=payment.beneficiary, is_current=True
    )
    assert (current.method, current.representative) == ("cash", None)


def test_a_next_month_draft_is_named_to_rebuild(client, officer, submitted, commune):
    payment = submitted.payments.get(beneficiary__person__full_name="Phan Văn An")
    record_result(payment, status="failed", reason="Tài khoản đã đóng", actor=officer)
    open_cycle(commune, OCT, actor=officer)
    client.force_login(officer)
    response = client.post(reverse("payment_switch_to_cash", args=[payment.pk]), follow=True)
    assert "Kỳ chi trả tháng 10/2023 đang là dự thảo" in " ".join(_messages(response))


def test_a_pending_payment_is_not_switched(client, officer, submitted):
    payment = submitted.payments.first()
    client.force_login(officer)
    response = client.post(reverse("payment_switch_to_cash", args=[payment.pk]), follow=True)
    assert "Chỉ chuyển sang tiền mặt khoản" in " ".join(_messages(response))
    assert not PaymentMethodRegistration.objects.filter(method="cash").exists()


def test_uncollected_home_cash_is_switched_to_the_post_office_and_plain_cash_needs_nothing(
    client, officer, leader, commune, reference_data, verify_all
):
    home = enrol(commune, full_name="Đỗ Thị Nhà")
    RegistrationFactory(beneficiary=home, method="home", from_month=datetime.date(2023, 7, 1))
    enrol(commune, full_name="Đỗ Văn Quầy")  # no registration: cash at the post office
    verify_all()
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    approve_cycle(cycle, actor=leader, today=BEFORE_DUE)
    submit_cycle(cycle, actor=officer, today=BEFORE_DUE)
    for payment in cycle.payments.all():
        record_result(payment, status="returned", reason="Đi vắng", actor=officer)
    client.force_login(officer)
    at_home = cycle.payments.get(beneficiary=home)
    moved = client.post(reverse("payment_switch_to_cash", args=[at_home.pk]), follow=True)
    assert "từ tháng 10/2023" in " ".join(_messages(moved))
    assert home.registrations.get(is_current=True).method == "cash"
    plain = cycle.payments.exclude(beneficiary=home).get()
    nothing = client.post(reverse("payment_switch_to_cash", args=[plain.pk]), follow=True)
    assert "không cần chuyển" in " ".join(_messages(nothing))


@pytest.mark.parametrize(
    ("who", "status", "state"),
    [
        ("officer", 302, "submitted"),
        ("leader", 403, "approved"),
        ("accountant", 403, "approved"),
        ("other_officer", 404, "approved"),
    ],
)
def test_only_the_officer_sends(client, request, draft, leader, who, status, state):
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    _login(client, request, who)
    response = confirm_post(client, reverse("cycle_action", args=[draft.pk, "gui"]))
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.status == state


def test_the_district_lists_only_submitted_cycles(client, district, draft, leader, officer):
    client.force_login(district)
    page = client.get(reverse("cycle_list"))
    assert page.context["cycles"] == [] and "Lập kỳ chi trả" not in page.content.decode()
    approve_cycle(draft, actor=leader, today=BEFORE_DUE)
    assert client.get(reverse("cycle_list")).context["cycles"] == []
    submit_cycle(draft, actor=officer, today=BEFORE_DUE)
    assert [c.pk for c in client.get(reverse("cycle_list")).context["cycles"]] == [draft.pk]


def test_the_cycle_page_costs_the_same_for_5_and_60_people(
    client, officer, commune, other_commune, reference_data
):
    from tests.factories import UserFactory

    for n in range(5):
        enrol(commune, full_name=f"Người Ít {n}")
    small = open_cycle(commune, SEP, actor=officer).cycle
    for n in range(60):
        enrol(other_commune, full_name=f"Người Nhiều {n}")
    other = UserFactory(username="canbo_nhieu", role="labour_officer", communes=[other_commune])
    big = open_cycle(other_commune, SEP, actor=other).cycle
    client.force_login(officer)
    client.get(reverse("cycle_detail", args=[small.pk]))  # known provinces are cached once
    few = _queries(client, reverse("cycle_detail", args=[small.pk]))
    client.force_login(other)
    many = _queries(client, reverse("cycle_detail", args=[big.pk]))
    assert few == many
    assert len(client.get(reverse("cycle_detail", args=[big.pk])).context["blockers"]) == 50
