"""A cycle that deducts recoveries on its pages: the cycle's deduction line, the payments
list, the post office's page and its bulk "paid", a results file naming a settled payment."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from payments.bankfiles import BankFileExchange
from payments.models import Payment
from payments.services.results import settled_refusal
from tests.payfiles.conftest import TODAY
from tests.payfiles.test_bank_results_import import _csv, _row

pytestmark = pytest.mark.django_db

PAGE = reverse("post_office")


def test_the_cycle_page_has_the_deduction_line(client, deducting, officer):
    client.force_login(officer)
    response = client.get(reverse("cycle_detail", args=[deducting.cycle.pk]))
    totals = response.context["totals"]
    assert totals.balanced
    assert (totals.count, totals.amount) == (7, 5_705_000)
    assert (totals.deducted.count, totals.deducted.amount) == (4, 900_000)
    assert (totals.owed, totals.settled, totals.sending) == (6_605_000, 2, 5)
    html = response.content.decode()
    assert 'data-testid="deductions"' in html
    assert "Tổng các tháng 6.605.000 đ = chi trả 5.705.000 đ + khấu trừ thu hồi 900.000 đ." in html
    assert "2 khoản cấn trừ hết" in html
    # The reconciliation names the settled payments (nothing sent): the sum is the total.
    settled = next(line for line in totals.by_status.lines if line.key == "settled")
    assert (settled.count, settled.amount) == (2, 0)


def test_a_cycle_without_deductions_has_no_deduction_line(client, paying, officer):
    client.force_login(officer)
    response = client.get(reverse("cycle_detail", args=[paying.cycle.pk]))
    html = response.content.decode()
    assert 'data-testid="deductions"' not in html
    assert "Cấn trừ thu hồi hết" not in html


def test_the_payments_list_shows_each_deduction_and_the_settled_state(client, deducting, officer):
    client.force_login(officer)
    url = reverse("cycle_payments", args=[deducting.cycle.pk])
    html = client.get(url).content.decode()
    assert "hưởng 1.555.000 đ, khấu trừ thu hồi 500.000 đ" in html
    assert "hưởng 100.000 đ, khấu trừ thu hồi 100.000 đ" in html  # Em, settled
    assert "Cấn trừ thu hồi hết" in html
    settled = client.get(url, {"status": "settled"}).context["page"]
    assert sorted(p.beneficiary.person.full_name for p in settled) == [
        "Bùi Thị Hoa",
        "Vũ Văn Em",
    ]


def test_the_post_office_page_leaves_the_settled_payment_out(client, deducting, post_office):
    client.force_login(post_office)
    response = client.get(PAGE)
    names = [p.beneficiary.person.full_name for p in response.context["page"]]
    assert names == ["Phạm Văn Dũng", "Đỗ Thị Giang", "Trần Thị Cúc"]
    html = response.content.decode()
    assert "Bùi Thị Hoa" not in html
    assert "đã khấu trừ thu hồi 200.000 đ" in html
    hoa = deducting.payment("hoa")
    answer = client.post(reverse("post_office_record", args=[hoa.pk]), {"ket_qua": "paid"})
    assert answer.status_code == 404
    hoa.refresh_from_db()
    assert hoa.status == "settled"


def test_bulk_paid_skips_a_settled_payment(client, deducting, post_office):
    client.force_login(post_office)
    giang, hoa, cuc = (deducting.payment(k) for k in ("giang", "hoa", "cuc"))
    preview = client.post(
        reverse("post_office_bulk_confirm"),
        {"chon": [giang.pk, hoa.pk, cuc.pk], "ngay": "19/09/2023"},
    ).context["preview"]
    assert (preview.count, preview.amount, preview.kept) == (2, 2_400_000, [])
    assert hoa.pk not in preview.pks
    data = {"chon": [giang.pk, hoa.pk, cuc.pk], "ngay": "19/09/2023"}
    html = client.post(reverse("post_office_bulk_paid"), data, follow=True).content.decode()
    assert "cho 2 khoản." in html and "đã ghi trước đó" not in html
    statuses = dict(Payment.objects.filter(cycle=deducting.cycle).values_list("pk", "status"))
    assert (statuses[giang.pk], statuses[cuc.pk], statuses[hoa.pk]) == ("paid", "paid", "settled")
    # Only the settled one selected: nothing to record, said in Vietnamese.
    alone = client.post(
        reverse("post_office_bulk_confirm"), {"chon": [hoa.pk], "ngay": "19/09/2023"}, follow=True
    )
    assert "Chưa chọn khoản nào." in alone.content.decode()


def test_a_results_file_naming_a_settled_payment_is_refused_with_the_reason(deducting):
    an, em = deducting.payment("an"), deducting.payment("em")
    data = _csv([_row(an), _row(em)])
    exchange = BankFileExchange()
    checked = exchange.check_results(
        io.BytesIO(data), filename="ket-qua.csv", cycle=deducting.cycle, today=TODAY
    )
    assert [(e.row, e.column, e.value, e.message) for e in checked.errors] == [
        (3, "Mã thanh toán", f"ASXH{em.pk:08d}", settled_refusal())
    ]
    imported = exchange.import_results(io.BytesIO(data), filename="ket-qua.csv", today=TODAY)
    assert not imported.ok and imported.changed == 0
    an.refresh_from_db()
    em.refresh_from_db()
    assert (an.status, em.status) == ("pending", "settled")  # nothing written


def test_a_step_s_confirmation_names_the_deduction(client, deducting, officer):
    client.force_login(officer)
    page = client.get(reverse("cycle_action", args=[deducting.cycle.pk, "da-chi-tra"]))
    facts = dict(page.context["confirmation"].facts)
    assert (facts["Tổng tiền"], facts["Khấu trừ thu hồi"]) == ("5.705.000 đ", "900.000 đ")
