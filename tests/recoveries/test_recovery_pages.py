"""The recovery pages: the commune's list, a recovery's page and its two forms, the review.

The world (``conftest``): An died on 15/09/2026 and October and November were
paid to his proxy (2.000.000 đ to recover from her); Bình's amount was lowered
from October by 300.000 đ a month (600.000 đ, deducted from her next payment).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments import recovery_views
from payments.models import Payment, Recovery, RecoveryMonth, RecoverySettlement
from payments.services.cycles import open_cycle
from payments.services.recoveries import record_settlement
from tests.conftest import local_moment
from tests.factories import BeneficiaryFactory, PersonFactory
from tests.recoveries.conftest import DEC, change_after_paying

pytestmark = pytest.mark.django_db

LIST = reverse("recovery_list")
TODAY = datetime.date(2026, 12, 15)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _text(response) -> str:
    return response.content.decode()


# --- the list --------------------------------------------------------------------


def test_the_list_shows_each_open_recovery_with_its_figures(client, officer, found):
    client.force_login(officer)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert [r.pk for r in rows] == [found.death.pk, found.amount.pk]
    death, lowered = rows
    assert (death.amount, death.deducted, death.settled, death.left) == (2_000_000, 0, 0, 2_000_000)
    assert death.months_label == "10/2026–11/2026" and death.month_count == 2
    assert death.state == "Còn phải thu hồi" and death.age_days == 0
    assert death.recover_from == found.paid.proxy_name == "Nguyễn Thị Hương"
    assert (lowered.amount, lowered.left, lowered.recover_from) == (600_000, 600_000, "Lê Thị Bình")
    body = _text(response)
    for text in (
        "Nguyễn Văn An",
        found.paid.an.person.personal_id,
        "Thôn Đông Sơn",
        "Chết sau các tháng đã chi trả",
        "Mức hưởng giảm cho các tháng đã chi trả",
        "10/2026–11/2026",
        "2.000.000 đ",
        "600.000 đ",
        "Nguyễn Thị Hương",
    ):
        assert text in body, text
    totals = response.context["totals"]
    assert (totals.count, totals.amount, totals.deducted, totals.settled, totals.left) == (
        2,
        2_600_000,
        0,
        0,
        2_600_000,
    )
    assert 'data-testid="total-left">2.600.000 đ<' in body
    assert "Tổng (2 khoản)" in body
    assert 'data-testid="review-now"' in body


def test_a_recovered_one_leaves_the_open_list_and_comes_after_the_open_ones_in_all(
    client, officer, found
):
    record_settlement(
        found.death,
        kind="repaid",
        amount=2_000_000,
        on=TODAY,
        document="BL-01",
        actor=officer,
    )
    client.force_login(officer)
    open_rows = client.get(LIST).context["page"]
    assert [r.pk for r in open_rows] == [found.amount.pk]
    every = client.get(LIST, {"hien": recovery_views.SHOW_ALL})
    rows = list(every.context["page"])
    assert [r.pk for r in rows] == [found.amount.pk, found.death.pk]
    assert rows[1].state == "Đã thu hồi đủ" and rows[1].left == 0
    assert (every.context["open_count"], every.context["all_count"]) == (1, 2)
    totals = every.context["totals"]
    assert (totals.count, totals.amount, totals.settled, totals.left) == (
        2,
        2_600_000,
        2_000_000,
        600_000,
    )
    assert "Còn phải thu hồi (1)" in _text(every) and "Tất cả (2)" in _text(every)


def _more_recoveries(commune, n: int) -> None:
    """``n`` more recoveries of other people, one month each."""
    for index in range(n):
        enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune))
        recovery = Recovery.objects.create(
            beneficiary=enrolment,
            cause=Recovery.Cause.ENDED,
            amount=100_000 + index,
            recover_from=enrolment.person.full_name,
            created_at=local_moment(TODAY),
        )
        RecoveryMonth.objects.create(
            recovery=recovery,
            beneficiary=enrolment,
            month=datetime.date(2026, 11, 1),
            amount=100_000 + index,
        )


def test_the_list_is_paged_with_counts_and_totals_over_every_page(
    client, officer, found, commune, monkeypatch
):
    _more_recoveries(commune, 3)
    monkeypatch.setattr(recovery_views, "PAGE_SIZE", 2)
    client.force_login(officer)
    first = client.get(LIST)
    assert len(first.context["page"]) == 2 and first.context["page"].paginator.num_pages == 3
    assert first.context["totals"].count == 5
    assert first.context["totals"].amount == 2_600_000 + 300_003
    last = client.get(LIST, {"page": 3})
    assert len(last.context["page"]) == 1
    assert "Trang trước" in _text(last)


def test_the_list_runs_as_many_queries_for_twenty_rows_as_for_two(
    client, officer, found, commune, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(LIST)  # the session and the user, warmed
    with CaptureQueriesContext(connection) as two:
        client.get(LIST)
    _more_recoveries(commune, 18)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(LIST)
    assert len(response.context["page"]) == 20
    assert len(twenty) == len(two)
    with django_assert_max_num_queries(12):
        client.get(LIST)


def test_accountant_and_leader_read_the_list_without_the_officers_buttons(
    client, accountant, leader, found
):
    for user in (accountant, leader):
        client.force_login(user)
        response = client.get(LIST)
        assert response.status_code == 200
        assert len(response.context["page"]) == 2
        assert 'data-testid="review-now"' not in _text(response)


def test_other_roles_may_not_open_the_list(client, police, post_office, district, found):
    for user in (police, post_office, district):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.get(reverse("recovery_detail", args=[found.death.pk])).status_code == 403


def test_another_communes_officer_sees_none_of_ours(client, other_officer, commune, found):
    client.force_login(other_officer)
    response = client.get(LIST)
    assert response.status_code == 200 and not list(response.context["page"])
    assert client.get(LIST, {"xa": commune.pk}).status_code == 404
    assert client.get(reverse("recovery_detail", args=[found.death.pk])).status_code == 404
    data = {"number": "1/QĐ", "day": "10/12/2026"}
    url = reverse("recovery_decision", args=[found.death.pk])
    assert client.post(url, data).status_code == 404


def test_the_navigation_links_to_the_list(client, officer, accountant, police, found):
    for user, shown in ((officer, True), (accountant, True), (police, False)):
        client.force_login(user)
        body = _text(client.get(reverse("home")))
        assert (f'href="{LIST}"' in body) is shown


# --- a recovery's page --------------------------------------------------------------


def test_the_recovery_page_shows_months_facts_and_history(client, officer, found):
    client.force_login(officer)
    response = client.get(reverse("recovery_detail", args=[found.death.pk]))
    assert response.status_code == 200
    months = [(m.month, m.amount) for m in response.context["months"]]
    assert months == [
        (datetime.date(2026, 10, 1), 1_000_000),
        (datetime.date(2026, 11, 1), 1_000_000),
    ]
    body = _text(response)
    assert 'data-testid="recover-from">Nguyễn Thị Hương<' in body
    assert 'data-testid="recovery-left">2.000.000 đ<' in body
    assert "Đã mất 15/09/2026" in body
    assert "Phát hiện: 2.000.000 đ" in body  # the history's first row
    assert "Chưa khấu trừ vào kỳ nào." in body
    assert 'data-testid="settlement-form"' in body and 'data-testid="decision-form"' in body
    # The breadcrumbs name the person under the list.
    assert "Khoản thu hồi" in body and response.context["recovery"] == found.death


def test_the_accountant_reads_a_recovery_without_forms_and_may_not_record(
    client, accountant, leader, found
):
    url = reverse("recovery_detail", args=[found.death.pk])
    for user in (accountant, leader):
        client.force_login(user)
        body = _text(client.get(url))
        assert "settlement-form" not in body and "decision-form" not in body
        decision = client.post(
            reverse("recovery_decision", args=[found.death.pk]),
            {"number": "1/QĐ", "day": "10/12/2026"},
        )
        settlement = client.post(
            reverse("recovery_settlement", args=[found.death.pk]),
            {"kind": "repaid", "amount": "100.000", "on": "10/12/2026", "document": "BL"},
        )
        assert (decision.status_code, settlement.status_code) == (403, 403)
    found.death.refresh_from_db()
    assert found.death.decision_number == "" and not RecoverySettlement.objects.exists()


def test_a_deduction_shows_on_the_recovery_and_a_failed_payment_gives_it_back(
    client, officer, found, commune
):
    cycle = open_cycle(commune, DEC, actor=officer).cycle
    payment = cycle.payments.get(beneficiary=found.paid.binh)
    assert (payment.amount, payment.deducted) == (600_000, 600_000)
    client.force_login(officer)
    url = reverse("recovery_detail", args=[found.amount.pk])
    response = client.get(url)
    rows = response.context["deductions"]
    assert [(d.payment.cycle.period, d.amount, d.counts) for d in rows] == [(DEC, 600_000, True)]
    assert 'data-testid="recovery-left">0 đ<' in _text(response)
    assert response.context["shown"].state == "Đã khấu trừ hết"
    # The cycle's payments show the deduction too.
    payments = _text(client.get(reverse("cycle_payments", args=[cycle.pk])))
    assert "khấu trừ thu hồi 600.000 đ" in payments
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED)
    again = client.get(url)
    assert 'data-testid="given-back"' in _text(again)
    assert 'data-testid="recovery-left">600.000 đ<' in _text(again)
    assert again.context["shown"].state == "Còn phải thu hồi"


# --- the decision -------------------------------------------------------------------


def test_the_officer_records_the_decision_once(client, officer, found):
    client.force_login(officer)
    url = reverse("recovery_decision", args=[found.death.pk])
    data = {"number": " 25/QĐ-UBND ", "day": "10/12/2026"}
    done = client.post(url, data, follow=True)
    assert "Đã ghi quyết định thu hồi số 25/QĐ-UBND ngày 10/12/2026." in _messages(done)
    again = client.post(url, data, follow=True)
    assert any("đã được ghi rồi" in m for m in _messages(again))
    found.death.refresh_from_db()
    assert (found.death.decision_number, found.death.decision_date) == (
        "25/QĐ-UBND",
        datetime.date(2026, 12, 10),
    )
    history = list(found.death.history.order_by("history_date"))
    assert [h.history_change_reason for h in history][-1] == "Ghi quyết định thu hồi"
    assert len(history) == 2 and history[-1].history_user == officer
    assert "25/QĐ-UBND" in _text(again) and "Ghi quyết định thu hồi" in _text(again)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"number": "25/QĐ", "day": "16/12/2026"}, "Ngày quyết định không được sau hôm nay."),
        ({"number": "25/QĐ", "day": "2026/12/10"}, "Nhập ngày dạng dd/mm/yyyy"),
        ({"number": "", "day": "10/12/2026"}, "Trường này là bắt buộc."),
    ],
)
def test_a_bad_decision_is_refused_in_vietnamese_and_keeps_what_was_typed(
    client, officer, found, data, error
):
    client.force_login(officer)
    response = client.post(reverse("recovery_decision", args=[found.death.pk]), data)
    assert response.status_code == 400
    body = _text(response)
    assert error in body
    assert f'value="{data["day"]}"' in body
    found.death.refresh_from_db()
    assert found.death.decision_number == "" and found.death.decision_date is None


# --- repayment and waiver ----------------------------------------------------------


def _settle(client, recovery, **data):
    values = {"kind": "repaid", "amount": "500.000", "on": "14/12/2026", "document": "BL-0012"}
    values.update(data)
    return client.post(reverse("recovery_settlement", args=[recovery.pk]), values, follow=True)


def test_the_officer_records_a_repayment_and_a_waiver(client, officer, found):
    client.force_login(officer)
    repaid = _settle(client, found.death, note="Con gái nộp tại UBND xã")
    assert "Đã ghi Nguyễn Thị Hương nộp lại 500.000 đ (biên lai BL-0012)." in _messages(repaid)
    waived = _settle(client, found.death, kind="waived", amount="1.500.000", document="30/QĐ-UBND")
    assert any("Đã ghi miễn thu hồi 1.500.000 đ" in m for m in _messages(waived))
    settlements = list(
        found.death.settlements.order_by("pk").values_list("kind", "amount", "document")
    )
    assert settlements == [("repaid", 500_000, "BL-0012"), ("waived", 1_500_000, "30/QĐ-UBND")]
    body = _text(waived)
    assert 'data-testid="recovery-left">0 đ<' in body and "Đã thu hồi đủ" in body
    assert "Con gái nộp tại UBND xã" in body and body.count('data-testid="settlement"') == 2


def test_the_same_repayment_sent_twice_is_recorded_once_and_says_so(client, officer, found):
    client.force_login(officer)
    _settle(client, found.death)
    again = _settle(client, found.death)
    assert again.status_code == 400
    assert "Đã ghi khoản này rồi (cùng số chứng từ, số tiền và ngày)." in _text(again)
    assert found.death.settlements.count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"amount": "1,5 triệu"}, "Số tiền"),
        ({"amount": "0"}, "Số tiền phải lớn hơn 0 đồng."),
        ({"amount": "2.000.001"}, "Khoản thu hồi chỉ còn 2.000.000 đ; không ghi 2.000.001 đ được."),
        ({"on": "16/12/2026"}, "Ngày không được sau hôm nay."),
        ({"on": "31/02/2026"}, "Nhập ngày dạng dd/mm/yyyy"),
        ({"document": "  "}, "Trường này là bắt buộc."),
    ],
)
def test_a_bad_settlement_is_refused_in_vietnamese_and_keeps_what_was_typed(
    client, officer, found, data, error
):
    client.force_login(officer)
    response = _settle(client, found.death, **data)
    assert response.status_code == 400
    body = _text(response)
    assert error in body
    if "amount" in data:
        assert f'value="{data["amount"]}"' in body
    assert not RecoverySettlement.objects.exists()


# --- the review --------------------------------------------------------------------


def test_review_now_finds_the_recoveries_once_and_then_says_nothing_is_new(
    client, officer, paid, commune
):
    change_after_paying(paid, officer)
    client.force_login(officer)
    url = reverse("recovery_review")
    first = client.post(url, {"xa": commune.pk}, follow=True)
    assert "Đã rà soát: phát hiện 2 khoản thu hồi mới, tổng 2.600.000 đ." in _messages(first)
    assert len(first.context["page"]) == 2
    second = client.post(url, {"xa": commune.pk}, follow=True)
    assert any("không phát hiện khoản thu hồi mới nào" in m for m in _messages(second))
    assert Recovery.objects.count() == 2
    assert {r.created_by for r in Recovery.objects.all()} == {officer}


def test_review_now_says_a_draft_must_be_rebuilt_to_deduct_the_new_ones(
    client, officer, paid, commune
):
    open_cycle(commune, DEC, actor=officer)
    change_after_paying(paid, officer)
    client.force_login(officer)
    done = client.post(reverse("recovery_review"), {"xa": commune.pk}, follow=True)
    assert (
        "Kỳ chi trả tháng 12/2026 đang là bản nháp: lập lại kỳ để khấu trừ các khoản mới."
        in _messages(done)
    )


def test_only_the_officer_of_the_commune_may_review(
    client, accountant, leader, other_officer, paid, commune, officer
):
    change_after_paying(paid, officer)
    url = reverse("recovery_review")
    for user, status in ((accountant, 403), (leader, 403), (other_officer, 404)):
        client.force_login(user)
        assert client.post(url, {"xa": commune.pk}).status_code == status
    client.force_login(officer)
    assert client.get(url).status_code == 405
    assert not Recovery.objects.exists()


# --- the dashboard and the person's page ------------------------------------------


def test_the_dashboard_counts_the_open_recoveries_and_the_oldests_age(
    client, officer, police, found, clock
):
    clock.move_to(local_moment(TODAY + datetime.timedelta(days=10)))
    client.force_login(officer)
    response = client.get(reverse("home"))
    summary = response.context["recoveries"]
    assert (summary.count, summary.left, summary.oldest_days) == (2, 2_600_000, 10)
    body = _text(response)
    assert 'data-testid="recoveries-left">2.600.000 đ<' in body
    assert "khoản lâu nhất đã 10 ngày" in body
    assert f'href="{LIST}?xa=' in body
    client.force_login(police)
    assert 'data-testid="recoveries-block"' not in _text(client.get(reverse("home")))


def test_the_dashboard_says_zero_when_nothing_is_left(client, accountant, found, officer):
    for recovery in (found.death, found.amount):
        record_settlement(
            recovery, kind="waived", amount=recovery.amount, on=TODAY, document="QĐ", actor=officer
        )
    client.force_login(accountant)
    response = client.get(reverse("home"))
    assert response.context["recoveries"].count == 0
    assert 'data-testid="recoveries-count">0<' in _text(response)


def test_the_persons_page_lists_their_recoveries(client, officer, police, found):
    url = reverse("person_detail", args=[found.paid.an.person_id])
    client.force_login(officer)
    response = client.get(url)
    rows = response.context["recoveries"]
    assert [(r.pk, r.left, r.state) for r in rows] == [
        (found.death.pk, 2_000_000, "Còn phải thu hồi")
    ]
    body = _text(response)
    assert reverse("recovery_detail", args=[found.death.pk]) in body
    assert 'data-testid="person-recoveries"' in body
    client.force_login(police)
    assert 'data-testid="person-recoveries"' not in _text(client.get(url))
    client.force_login(officer)
    other = _text(client.get(reverse("person_detail", args=[found.paid.cuc.person_id])))
    assert "Không có khoản thu hồi nào." in other
