"""What a printed document must look like, one function per rule.

Every check returns a list of problems, one readable line each (empty: all
good), so a test writes ``assert problems == []`` and a failure shows them.
The page layout is the one of Nghị định 30/2020/NĐ-CP (Phụ lục I): A4,
margins top and bottom 20 mm, left 30 mm, right 15 mm, the page number in the
top margin, centred, from the second page on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from printcheck.pdf import A4, MM, Page, PrintedPdf, Sheet, count, normalise

SHOWN = 12  # problems listed per check; the rest are counted


@dataclass(frozen=True)
class Margins:
    top: float
    bottom: float
    left: float
    right: float


ND30_MARGINS = Margins(top=20 * MM, bottom=20 * MM, left=30 * MM, right=15 * MM)


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= SHOWN:
        return problems
    return [*problems[:SHOWN], f"… và {len(problems) - SHOWN} lỗi khác cùng loại"]


def _pages(pages: PrintedPdf | Sheet | Page | Iterable[Page]) -> list[Page]:
    if isinstance(pages, Page):
        return [pages]
    if isinstance(pages, PrintedPdf | Sheet):
        return list(pages.pages)
    return list(pages)


def _label(page: Page) -> str:
    sheet = f"«{page.sheet}» " if page.sheet else ""
    return f"{sheet}trang {page.number_in_sheet} (trang {page.number} của tệp)"


def a4(page: Page, landscape: bool, tolerance: float = 1.0) -> list[str]:
    """The page is A4, in the orientation asked for."""
    short, long = sorted((page.width, page.height))
    problems = []
    if abs(short - A4[0]) > tolerance or abs(long - A4[1]) > tolerance:
        problems.append(
            f"{_label(page)}: khổ {page.width / MM:.0f}×{page.height / MM:.0f} mm, không phải A4"
        )
    if page.landscape != landscape:
        want = "ngang" if landscape else "dọc"
        have = "ngang" if page.landscape else "dọc"
        problems.append(f"{_label(page)}: in khổ {have}, cần khổ {want}")
    return problems


def words_inside_cells(pages, tolerance: float = 1.0) -> list[str]:
    """Every word that starts in a bordered cell ends in it (no cut text, no header over a row)."""
    problems = []
    for page in _pages(pages):
        for word in page.words:
            cell = page.cell_at(word.x0 + 0.5, (word.top + word.bottom) / 2)
            if cell is None:
                continue
            outside = []
            if word.x1 > cell.x1 + tolerance:
                outside.append(f"vượt bờ phải {word.x1 - cell.x1:.1f} pt")
            if word.x0 < cell.x0 - tolerance:
                outside.append(f"vượt bờ trái {cell.x0 - word.x0:.1f} pt")
            if word.top < cell.top - tolerance:
                outside.append(f"vượt bờ trên {cell.top - word.top:.1f} pt")
            if word.bottom > cell.bottom + tolerance:
                outside.append(f"vượt bờ dưới {word.bottom - cell.bottom:.1f} pt")
            if outside:
                problems.append(
                    f"{_label(page)}: chữ {word.where()} ra ngoài {cell.where()}: "
                    + ", ".join(outside)
                )
    return _capped(problems)


def no_overlapping_words(pages, tolerance: float = 0.5) -> list[str]:
    """No two words print over each other (boxes shrunk by ``tolerance`` on each side)."""
    problems = []
    for page in _pages(pages):
        words = sorted(page.words, key=lambda w: w.top)
        for i, word in enumerate(words):
            for other in words[i + 1 :]:
                if other.top >= word.bottom - 2 * tolerance:
                    break
                if (
                    min(word.x1, other.x1) - max(word.x0, other.x0) > 2 * tolerance
                    and min(word.bottom, other.bottom) - max(word.top, other.top) > 2 * tolerance
                ):
                    problems.append(f"{_label(page)}: chữ {word.where()} đè lên {other.where()}")
    return _capped(problems)


def _is_page_number(page: Page, word, margins: Margins) -> bool:
    """The page number (digits alone) in the top margin, centred on the page or on the
    text between the margins: allowed there."""
    centre = (word.x0 + word.x1) / 2
    text_centre = (margins.left + page.width - margins.right) / 2
    centred = min(abs(centre - page.width / 2), abs(centre - text_centre)) <= 20
    return word.text.isdigit() and word.bottom <= margins.top and centred


def inside_printable_area(
    pages, margins: Margins = ND30_MARGINS, tolerance: float = 2.0
) -> list[str]:
    """Every word within the page less the margins (the page number in the top margin aside)."""
    problems = []
    for page in _pages(pages):
        left, right = margins.left - tolerance, page.width - margins.right + tolerance
        top, bottom = margins.top - tolerance, page.height - margins.bottom + tolerance
        for word in page.words:
            if _is_page_number(page, word, margins):
                continue
            sides = []
            if word.x0 < left:
                sides.append(f"lề trái {word.x0 / MM:.1f} mm < {margins.left / MM:.0f} mm")
            if word.x1 > right:
                sides.append(
                    f"lề phải {(page.width - word.x1) / MM:.1f} mm < {margins.right / MM:.0f} mm"
                )
            if word.top < top:
                sides.append(f"lề trên {word.top / MM:.1f} mm < {margins.top / MM:.0f} mm")
            if word.bottom > bottom:
                sides.append(
                    f"lề dưới {(page.height - word.bottom) / MM:.1f} mm < {margins.bottom / MM:.0f} mm"
                )
            if sides:
                problems.append(
                    f"{_label(page)}: chữ {word.where()} nằm trong lề: {', '.join(sides)}"
                )
    return _capped(problems)


def each_once(pdf_text: str, values: Iterable[str]) -> list[str]:
    """Each value (a CCCD, a payment code) prints as often as it is in the rows: once a row."""
    wanted = Counter(v for v in values if v)
    problems = []
    for value, times in wanted.items():
        found = count(pdf_text, value)
        if found != times:
            problems.append(f"«{value}» in {found} lần, cần {times} lần")
    return _capped(problems)


def heading_on_every_sheet(pdf: PrintedPdf, headings: Mapping[str, str]) -> list[str]:
    """Each sheet's first page holds its heading (and every sheet named prints)."""
    problems = []
    for name, heading in headings.items():
        sheet = pdf.sheets.get(name)
        if sheet is None or not sheet.pages:
            problems.append(f"trang tính «{name}» không in ra trang nào")
        elif not sheet.pages[0].has(heading):
            problems.append(f"«{name}» trang 1: không có tiêu đề «{heading}»")
    return problems


def signature_block_on_one_page(
    pages,
    place_and_date_text: str,
    signature_titles: Sequence[str],
    names: Sequence[str] = (),
    row_texts: Iterable[str] = (),
) -> list[str]:
    """Place and date, every signature title and name on one page, with part of the table.

    The block is the last place-and-date line of the pages (the header holds
    one too); ``row_texts`` are texts of the table's rows or totals (CCCDs,
    "Tổng cộng"), one of which must be on that page: a page with only the
    signatures (or only the heading and the signatures) does not hold.
    """
    pages = _pages(pages)
    holding = [page for page in pages if page.has(place_and_date_text)]
    if not holding:
        return [f"không in dòng địa danh, ngày tháng «{place_and_date_text}»"]
    page = holding[-1]
    text = normalise(page.text)
    after = text[text.rfind(normalise(place_and_date_text)) :]
    problems = []
    for part in [*signature_titles, *names]:
        for line in part.split("\n"):
            if normalise(line) not in after:
                elsewhere = [p.number_in_sheet for p in pages if p is not page and p.has(line)]
                where = f" (in ở trang {', '.join(map(str, elsewhere))})" if elsewhere else ""
                problems.append(
                    f"{_label(page)}: có «{place_and_date_text}» nhưng không có «{line}» "
                    f"bên dưới{where}"
                )
    rows = [normalise(t) for t in row_texts if t]
    if rows and not any(r in text for r in rows):
        problems.append(
            f"{_label(page)}: trang chữ ký không có dòng nào của bảng hay dòng tổng cộng"
        )
    return problems


def page_count(pages, expected: int) -> list[str]:
    found = len(_pages(pages))
    if found != expected:
        return [f"in {found} trang, cần {expected} trang"]
    return []
