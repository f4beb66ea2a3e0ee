"""The payment check pages: draw, record per row, list and resolve cases, a statement."""

from __future__ import annotations

import pytest
from django.urls import reverse

from payments.models import Payment, PaymentCase, PaymentCheck, PaymentCheckSample

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_officer_draws_the_sample_once_from_the_page(client, officer, small_cycle):
    client.force_login(officer)
    page = client.get(reverse("cycle_checks", args=[small_cycle.pk]))
    assert page.status_code == 200
    assert "Chọn mẫu kiểm tra" in page.content.decode()
    url = reverse("cycle_checks_draw", args=[small_cycle.pk])
    done = client.post(url, follow=True)
    assert "Đã chọn 10 người để hỏi" in " ".join(_messages(done))
    again = client.post(url, follow=True)
    assert "mỗi kỳ chỉ chọn một lần" in " ".join(_messages(again))
    assert PaymentCheckSample.objects.count() == 1
    body = done.content.decode()
    assert body.count('data-testid="check-row"') == 10
    assert "2.055.000 đ" in body  # amounts through the vnd filter
    assert "Thôn Đông" in body and "Tiền mặt" in body


def test_the_cycle_page_links_to_its_checks(client, accountant, small_cycle):
    client.force_login(accountant)
    body = client.get(reverse("cycle_detail", args=[small_cycle.pk])).content.decode()
    assert reverse("cycle_checks", args=[small_cycle.pk]) in body
    assert "Chưa chọn mẫu kiểm tra." in body


def test_other_roles_and_communes_may_not_draw(
    client, accountant, leader, other_officer, small_cycle
):
    url = reverse("cycle_checks_draw", args=[small_cycle.pk])
    for user, status in ((accountant, 403), (leader, 403), (other_officer, 404)):
        client.force_login(user)
        assert client.post(url).status_code == status
    assert not PaymentCheckSample.objects.exists()
    client.force_login(accountant)
    page = client.get(reverse("cycle_checks", args=[small_cycle.pk]))
    assert page.status_code == 200 and 'data-testid="draw-sample"' not in page.content.decode()


def test_a_row_records_not_received_and_opens_a_case_once(client, officer, small_cycle):
    from payments.checks import draw_sample

    check = draw_sample(small_cycle, actor=officer, seed=9).checks.first()
    client.force_login(officer)
    url = reverse("check_record", args=[check.pk])
    data = {"outcome": "not_received", "note": "Chưa thấy tiền về", "amount_stated": ""}
    first = client.post(url, data, follow=True)
    client.post(url, data, follow=True)  # the form sent twice
    assert "Đã mở khiếu nại chưa nhận tiền." in " ".join(_messages(first))
    check.refresh_from_db()
    assert check.outcome == "not_received" and check.note == "Chưa thấy tiền về"
    assert PaymentCase.objects.filter(opened_from=check).count() == 1


def test_a_bad_amount_is_refused_in_vietnamese_and_records_nothing(client, officer, small_cycle):
    from payments.checks import draw_sample

    check = draw_sample(small_cycle, actor=officer, seed=9).checks.first()
    client.force_login(officer)
    url = reverse("check_record", args=[check.pk])
    bad = client.post(url, {"outcome": "amount_differs", "amount_stated": "1,5 triệu"}, follow=True)
    assert _messages(bad) and check.person.full_name in _messages(bad)[0]
    missing = client.post(url, {"outcome": "amount_differs", "amount_stated": ""}, follow=True)
    assert "hãy ghi số tiền" in " ".join(_messages(missing))
    check.refresh_from_db()
    assert check.outcome == "pending" and not PaymentCase.objects.exists()
    client.post(url, {"outcome": "amount_differs", "amount_stated": "1.000.000"})
    check.refresh_from_db()
    assert (check.outcome, check.amount_stated) == ("amount_differs", 1_000_000)


def test_recording_is_the_officers_and_scoped(
    client, accountant, other_officer, officer, small_cycle
):
    from payments.checks import draw_sample

    check = draw_sample(small_cycle, actor=officer, seed=9).checks.first()
    url = reverse("check_record", args=[check.pk])
    client.force_login(accountant)
    assert client.post(url, {"outcome": "confirmed"}).status_code == 403
    client.force_login(other_officer)
    assert client.post(url, {"outcome": "confirmed"}).status_code == 404
    check.refresh_from_db()
    assert check.outcome == PaymentCheck.Outcome.PENDING


def test_the_case_page_lists_open_cases_and_resolves_with_a_note(
    client, officer, leader, small_cycle, commune
):
    from payments.checks import record_statement

    payment = (
        Payment.objects.filter(cycle=small_cycle).select_related("beneficiary__person").first()
    )
    case = record_statement(payment, actor=leader, note="Ông nói chưa nhận")
    client.force_login(leader)
    page = client.get(reverse("case_list"), {"xa": commune.pk})
    body = page.content.decode()
    assert page.status_code == 200 and "Ông nói chưa nhận" in body and "09/2023" in body
    assert 'data-testid="resolve-form"' not in body  # the officer resolves
    assert (
        client.post(reverse("case_resolve", args=[case.pk]), {"resolution": "x"}).status_code == 403
    )
    client.force_login(officer)
    url = reverse("case_resolve", args=[case.pk])
    empty = client.post(url, {"resolution": ""}, follow=True)
    assert "Hãy ghi cách đã giải quyết" in " ".join(_messages(empty))
    client.post(url, {"resolution": "Bưu điện chi bổ sung"}, follow=True)
    done = client.post(url, {"resolution": "Bưu điện chi bổ sung"}, follow=True)
    case.refresh_from_db()
    assert case.state == "resolved" and case.resolved_by == officer
    assert "Không có khiếu nại nào đang xử lý." in done.content.decode()


def test_a_person_statement_from_the_person_page(client, accountant, small_cycle):
    payment = (
        Payment.objects.filter(cycle=small_cycle).select_related("beneficiary__person").first()
    )
    person = payment.beneficiary.person
    client.force_login(accountant)
    detail = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    url = reverse("person_statement", args=[person.pk])
    assert url in detail
    form = client.get(url)
    assert form.status_code == 200 and "2.055.000 đ" in form.content.decode()
    assert "12/09/2023" in form.content.decode()
    empty = client.post(url, {"payment": payment.pk, "note": ""})
    assert empty.status_code == 400
    assert "Hãy ghi lời phản ánh" in empty.content.decode()
    done = client.post(url, {"payment": payment.pk, "note": "Bà nói chưa nhận"})
    assert done.status_code == 302
    twice = client.post(url, {"payment": payment.pk, "note": "Bà nói chưa nhận"})
    assert twice.status_code == 400 and "đang xử lý" in twice.content.decode()
    case = PaymentCase.objects.get()
    assert (case.payment, case.person, case.source) == (payment, person, "statement")


def test_the_police_and_another_commune_record_no_statement(
    client, police, other_officer, small_cycle
):
    person = Payment.objects.filter(cycle=small_cycle).first().beneficiary.person
    url = reverse("person_statement", args=[person.pk])
    client.force_login(police)
    assert client.get(url).status_code == 403
    assert (
        'data-testid="statement-link"'
        not in client.get(reverse("person_detail", args=[person.pk])).content.decode()
    )
    client.force_login(other_officer)
    assert client.get(url).status_code == 404


def test_the_dashboard_counts_open_cases_with_a_link(client, officer, small_cycle, commune):
    from payments.checks import record_statement, resolve_case

    payments = list(Payment.objects.filter(cycle=small_cycle)[:3])
    cases = [record_statement(p, actor=officer, note="Chưa nhận") for p in payments]
    resolve_case(cases[0], actor=officer, resolution="Đã chi lại")
    client.force_login(officer)
    page = client.get(reverse("home"), {"xa": commune.pk})
    assert page.context["open_cases"] == 2
    body = page.content.decode()
    assert "Khiếu nại chưa nhận tiền" in body
    assert f"{reverse('case_list')}?xa={commune.pk}" in body
