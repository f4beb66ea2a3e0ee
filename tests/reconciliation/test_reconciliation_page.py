"""The reconciliation page of a cycle and its sheet: who sees them, what they show."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from payments.models import PaymentCycle
from tests.cycles.conftest import enrol
from tests.factories import UserFactory
from tests.reconciliation.conftest import SEP

pytestmark = pytest.mark.django_db


def _page(client, user, cycle):
    client.force_login(user)
    return client.get(reverse("cycle_reconciliation", args=[cycle.pk]))


def test_the_officer_reads_each_group_with_its_figures_and_checks(client, officer, reconciling):
    response = _page(client, officer, reconciling.cycle)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đối soát kỳ chi trả tháng 09/2023 — xã Yến Sơn" in body
    for testid in ("group-method:account", "group-method:cash", "group-method:home", "group-cycle"):
        assert f'data-testid="{testid}"' in body
    assert "Qua tài khoản — Agribank" in body and "Qua tài khoản — Vietcombank" in body
    assert "6.805.000 đ" in body  # the months' total of the cycle
    assert "6.605.000 đ" in body  # sent
    assert "Cấn trừ thu hồi hết (không gửi)" in body
    assert "✓ Tất cả 20 phép đối chiếu đều khớp." in body
    assert "✗" not in body
    assert 'data-testid="reconciliation-sheet-link"' in body


def test_a_broken_cycle_shows_the_check_that_fails_and_by_how_much(client, accountant, reconciling):
    PaymentCycle.objects.filter(pk=reconciling.cycle.pk).update(total_amount=6_610_000)
    body = _page(client, accountant, reconciling.cycle).content.decode()
    assert "✗ 1 trên 20 phép đối chiếu bị lệch: xem các dòng ✗ dưới đây." in body
    assert "✗ Lệch 5.000 đ" in body
    assert "6.610.000 đ" in body


def test_the_cycle_page_links_to_the_reconciliation(client, leader, reconciling):
    client.force_login(leader)
    body = client.get(reverse("cycle_detail", args=[reconciling.cycle.pk])).content.decode()
    assert reverse("cycle_reconciliation", args=[reconciling.cycle.pk]) in body


def test_who_may_see_it(
    client, officer, accountant, leader, district, police, post_office, other_officer, reconciling
):
    cycle = reconciling.cycle
    for user in (officer, accountant, leader, district):
        assert _page(client, user, cycle).status_code == 200, user
    for user in (police, post_office):
        assert _page(client, user, cycle).status_code == 403, user
    assert _page(client, other_officer, cycle).status_code == 404
    # The paying office sees a cycle once it was sent to it, not a draft.
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="draft", approved_by=None)
    assert _page(client, district, cycle).status_code == 404
    client.force_login(district)
    sheet = client.get(reverse("cycle_reconciliation_sheet", args=[cycle.pk]))
    assert sheet.status_code == 404


def test_the_page_costs_the_same_queries_for_many_people(
    client, officer, reconciling, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _page(client, officer, reconciling.cycle)
    commune = reconciling.cycle.commune
    for n in range(40):
        enrol(commune, 1_000_000, full_name=f"Người Thêm {n}")
    from payments.services.cycles import open_cycle

    october = open_cycle(commune, SEP.replace(month=10), actor=officer).cycle
    with django_assert_max_num_queries(len(few)):
        response = _page(client, officer, october)
    assert "46" in response.content.decode()


def test_the_sheet_downloads_with_the_same_figures(client, accountant, reconciling):
    client.force_login(accountant)
    response = client.get(reverse("cycle_reconciliation_sheet", args=[reconciling.cycle.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('doi-soat-15307-2023-09.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Đối soát"]
    cells = list(sheet.iter_rows(values_only=True))
    texts = [str(c) for row in cells for c in row if c is not None]
    assert "ĐỐI SOÁT KỲ CHI TRẢ THÁNG 09/2023" in texts
    assert "Tất cả 20 phép đối chiếu đều khớp." in texts
    header = next(i for i, row in enumerate(cells) if row[0] == "STT")
    assert cells[header][:7] == (
        "STT",
        "Nhóm",
        "Khoản mục, phép đối chiếu",
        "Số khoản",
        "Số tiền (đồng)",
        "Chênh lệch (đồng)",
        "Đối chiếu",
    )
    rows = [row[:7] for row in cells[header + 1 :] if isinstance(row[0], int)]
    by_text = {(r[1], r[2]): r for r in rows}
    assert by_text[("Cả kỳ chi trả", "Tổng các tháng (phải chi kỳ này)")][3:5] == (6, 6_805_000)
    assert by_text[("Cả kỳ chi trả", "Khấu trừ thu hồi")][3:5] == (2, 200_000)
    assert by_text[("Qua tài khoản — Agribank", "Chờ kết quả")][3:5] == (1, 300_000)
    assert by_text[("Tiền mặt tại điểm chi trả", "Cấn trừ thu hồi hết (không gửi)")][3:5] == (1, 0)
    check = by_text[("Kiểm tra chung", "Tổng tiền, số khoản đã lưu của kỳ = các khoản")]
    assert check[5:7] == (0, "Khớp")
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert "NGƯỜI LẬP BIỂU" in texts and "KẾ TOÁN" in texts


def test_the_sheet_of_a_broken_cycle_says_lech_with_the_difference(client, officer, reconciling):
    PaymentCycle.objects.filter(pk=reconciling.cycle.pk).update(payment_count=7)
    client.force_login(officer)
    response = client.get(reverse("cycle_reconciliation_sheet", args=[reconciling.cycle.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Đối soát"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[1] == "Kiểm tra chung"]
    assert rows[0][5:7] == (0, "Lệch 1 khoản")
    texts = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c]
    assert "1 trên 20 phép đối chiếu bị lệch (cột “Đối chiếu”)." in texts


def test_the_paying_office_of_one_programme_sees_only_cycles_paying_it(
    client, commune, reconciling
):
    from beneficiaries.models import Programme, ProgrammeAccess

    an = reconciling.people["an"]
    ours = UserFactory(username="so_noi_vu", role="district", communes=[commune])
    ProgrammeAccess.objects.create(user=ours, programme_id=an.programme_id)
    response = _page(client, ours, reconciling.cycle)
    assert response.status_code == 200
    assert 'data-testid="partial"' not in response.content.decode()
    theirs = UserFactory(username="so_y_te", role="district", communes=[commune])
    ProgrammeAccess.objects.create(
        user=theirs, programme=Programme.objects.exclude(pk=an.programme_id).first()
    )
    assert _page(client, theirs, reconciling.cycle).status_code == 404
