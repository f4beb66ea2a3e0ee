"""Every document of the demo commune, printed through LibreOffice, against the official layout.

One LibreOffice run for the module; then one test per kind of document and
per check. Checks the current writer does not pass yet are marked ``xfail``
(strict) with the problem they show: as the writer gets the Nghị định
30/2020 layout, the mark comes off.
"""

from __future__ import annotations

import pytest

from printcheck import page_count
from tests.print.checks import CHECKS

# django_db: the module fixture seeds the demo, so the test database must be set up.
pytestmark = [pytest.mark.libreoffice, pytest.mark.django_db]

KINDS = (
    "dang-ky-ncc-tk",
    "dang-ky-ncc-uq",
    "dang-ky-btxh-tk",
    "dang-ky-btxh-uq",
    "ngan-hang",
    "thay-doi",
    "buu-dien",
    "bao-cao-thang",
    "doi-soat",
    "xac-thuc",
    "so-doi-tuong",
    "so-doi-tuong-in",
    "giay-gioi-thieu",
    "mau-nhap",
)

# (check, kind) → a known defect (none: every check passes for every kind).
FAILING_TODAY: dict[tuple[str, str], str] = {}


def _cases() -> list:
    return list(_each_case())


def _each_case():
    for check in CHECKS:
        for kind in KINDS:
            reason = FAILING_TODAY.get((check, kind))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(check, kind, marks=marks, id=f"{check}-{kind}")


def test_every_kind_of_document_is_rendered(demo_printed):
    assert sorted(demo_printed) == sorted(KINDS)


@pytest.mark.parametrize(("check", "kind"), _cases())
def test_printed_document(demo_printed, check, kind):
    assert CHECKS[check](demo_printed[kind]) == []


def test_the_import_template_prints_one_page_per_sheet(demo_printed):
    pdf = demo_printed["mau-nhap"].pdf
    assert page_count(pdf.sheet("Danh sách"), 1) == []
    assert page_count(pdf.sheet("Hướng dẫn"), 1) == []


def test_the_rows_read_back_are_the_demo_months_people(demo_printed):
    """The keys come from the workbooks' tables: a list's people, the bank's transfer codes."""
    registry = demo_printed["so-doi-tuong"].document
    people = set(registry.cccds)
    assert len(people) > 150
    for kind in ("dang-ky-ncc-tk", "buu-dien", "bao-cao-thang"):
        document = demo_printed[kind].document
        cccds = set(document.cccds)
        if kind == "bao-cao-thang":
            # Who left in the month (a death recorded late) or owes a recovery is in the
            # report's changes and recoveries, no longer in the registry's book.
            cccds -= set(document.sheet("Thu hồi").keys) | set(document.sheet("Thay đổi").keys)
        assert cccds and cccds <= people
    bank = demo_printed["ngan-hang"].document.sheets[0]
    # A transfer's code prints twice in its row: in its column and in the transfer's content.
    assert bank.key_header == "Mã thanh toán" and len(bank.keys) == 2 * len(set(bank.keys)) > 20


def test_the_deductions_and_the_recoveries_annex_are_printed(demo_printed):
    """The demo's June deducts three recoveries (``with_recoveries``): the cash list and
    the largest bank's list print the deduction's columns, the report its annex 6."""
    bank = demo_printed["ngan-hang"]
    printed = {
        "cash list": demo_printed["buu-dien"].pdf.sheet("Tiền mặt tại điểm").text,
        "bank list": bank.pdf.sheet(bank.document.sheets[0].name).text,
        "summary": demo_printed["bao-cao-thang"].pdf.sheet("Tổng hợp").text,
    }
    for name, text in printed.items():
        # Headers wrap inside their cells: their words, each printed.
        assert {"Khấu", "hưởng", "hồi"} <= set(text.split()), name
    recoveries = demo_printed["bao-cao-thang"].pdf.sheet("Thu hồi").text
    assert "CÁC KHOẢN CHI TRẢ SAI PHẢI THU HỒI" in recoveries
    # The three planted here and the demo's own (a death recorded late, a lower amount).
    rows = len(demo_printed["bao-cao-thang"].document.sheet("Thu hồi").keys)
    assert rows >= 3
    assert f"{rows} khoản, phải thu hồi" in recoveries
