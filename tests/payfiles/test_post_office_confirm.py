"""The post office's bulk “Đã chi trả”: a confirmation page first, then the one service."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment

pytestmark = pytest.mark.django_db

PAGE = reverse("post_office")
CONFIRM = reverse("post_office_bulk_confirm")
PAID = reverse("post_office_bulk_paid")


def test_the_page_s_bulk_form_asks_for_a_confirmation(client, paying, post_office):
    client.force_login(post_office)
    html = client.get(PAGE).content.decode()
    assert f'action="{CONFIRM}" id="bulk"' in html


def test_the_confirmation_shows_count_total_and_month_and_records_nothing(
    client, paying, post_office
):
    client.force_login(post_office)
    cuc, dung = paying.payment("cuc"), paying.payment("dung")
    response = client.post(
        CONFIRM, {"chon": [cuc.pk, dung.pk], "ngay": "2023-09-19", "next": f"{PAGE}?thon=x"}
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.count, preview.amount, preview.kept) == (2, 2_750_000, [])
    html = response.content.decode()
    assert "2.750.000 đ" in html and "tháng 09/2023" in html and "19/09/2023" in html
    assert "Xác nhận đã chi trả 2 khoản" in html
    assert f'action="{PAID}"' in html and 'name="ngay" value="19/09/2023"' in html
    assert f'value="{PAGE}?thon=x"' in html
    statuses = set(
        Payment.objects.filter(pk__in=[cuc.pk, dung.pk]).values_list("status", flat=True)
    )
    assert statuses == {"pending"}


def test_confirming_records_through_the_service_and_keeps_a_refusal(client, paying, post_office):
    client.force_login(post_office)
    cuc, dung = paying.payment("cuc"), paying.payment("dung")
    client.post(
        reverse("post_office_record", args=[dung.pk]), {"ket_qua": "returned", "ly_do": "Vắng nhà"}
    )
    response = client.post(CONFIRM, {"chon": [cuc.pk, dung.pk], "ngay": "2023-09-19"})
    assert (response.context["preview"].count, response.context["preview"].amount) == (1, 2_000_000)
    assert (
        "1 khoản đã ghi kết quả trước đó, giữ nguyên: Phạm Văn Dũng." in response.content.decode()
    )
    client.post(PAID, {"chon": response.context["preview"].pks, "ngay": "2023-09-19"})
    cuc.refresh_from_db()
    dung.refresh_from_db()
    assert (cuc.status, cuc.paid_on) == ("paid", datetime.date(2023, 9, 19))
    assert (dung.status, dung.failure_reason) == ("returned", "Vắng nhà")


def test_nothing_selected_goes_back_with_a_vietnamese_error(client, paying, post_office):
    client.force_login(post_office)
    response = client.post(CONFIRM, {"ngay": "2023-09-19"}, follow=True)
    assert response.redirect_chain[-1][0] == PAGE
    assert "Chưa chọn khoản nào." in response.content.decode()


def test_a_wrong_date_is_corrected_on_the_confirmation_keeping_the_selection(
    client, paying, post_office
):
    client.force_login(post_office)
    cuc, dung = paying.payment("cuc"), paying.payment("dung")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for day, message in (
        ("32/09/2023", "Ngày chi trả không hợp lệ: hãy ghi dạng dd/mm/yyyy."),
        (f"{tomorrow:%d/%m/%Y}", "Ngày chi trả không được sau hôm nay."),
        ("31/08/2023", "Ngày chi trả trước tháng của kỳ chi trả (09/2023)."),
    ):
        response = client.post(CONFIRM, {"chon": [cuc.pk, dung.pk], "ngay": day, "next": PAGE})
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html and f'value="{day}"' in html
        assert f'action="{CONFIRM}"' in html and f'action="{PAID}"' not in html
        for payment in (cuc, dung):
            assert f'name="chon" value="{payment.pk}"' in html
        assert "2.750.000 đ" in html
    response = client.post(CONFIRM, {"chon": [cuc.pk, dung.pk], "ngay": "18/09/2023"})
    html = response.content.decode()
    assert f'action="{PAID}"' in html and "18/09/2023" in html
    assert set(
        Payment.objects.filter(pk__in=[cuc.pk, dung.pk]).values_list("status", flat=True)
    ) == {"pending"}


def test_only_recorded_rows_selected_offers_no_confirm_button(client, paying, post_office):
    client.force_login(post_office)
    cuc = paying.payment("cuc")
    client.post(reverse("post_office_record", args=[cuc.pk]), {"ket_qua": "paid"})
    response = client.post(CONFIRM, {"chon": [cuc.pk], "ngay": "2023-09-19"})
    html = response.content.decode()
    assert "Không còn khoản nào chờ ghi trong các dòng đã chọn." in html
    assert "Xác nhận đã chi trả 1" not in html


def test_the_confirmation_is_for_the_post_office_and_its_commune_only(
    client, paying, accountant, other_officer
):
    cuc = paying.payment("cuc")
    client.force_login(accountant)
    assert client.post(CONFIRM, {"chon": [cuc.pk], "ngay": "2023-09-19"}).status_code == 403
    client.force_login(other_officer)
    response = client.post(CONFIRM, {"chon": [cuc.pk], "ngay": "2023-09-19"}, follow=True)
    assert "Chưa chọn khoản nào." in response.content.decode()
    assert "preview" not in response.context


def test_an_account_payment_is_never_in_the_confirmation(client, paying, post_office):
    client.force_login(post_office)
    cuc, an = paying.payment("cuc"), paying.payment("an")
    preview = client.post(CONFIRM, {"chon": [cuc.pk, an.pk], "ngay": "2023-09-19"}).context[
        "preview"
    ]
    assert (preview.pks, preview.count) == ([cuc.pk], 1)


def test_select_all_without_script_ticks_every_pending_row(client, paying, post_office):
    client.force_login(post_office)
    html = client.get(PAGE, {"chon": "tat-ca"}).content.decode()
    for key in ("cuc", "dung"):
        assert f'value="{paying.payment(key).pk}" form="bulk" checked' in html
    assert "Bỏ chọn tất cả" in html
