"""The print checks of one rendered document, every sheet and page of it."""

from __future__ import annotations

from printcheck import (
    a4,
    each_once,
    heading_on_every_sheet,
    inside_printable_area,
    no_overlapping_words,
    page_count,
    signature_block_on_one_page,
    words_inside_cells,
)
from tests.print.printed import Printed


def paper(printed: Printed) -> list[str]:
    problems = []
    for sheet in printed.document.sheets:
        for page in printed.pdf.sheet(sheet.name).pages:
            problems += a4(page, sheet.landscape)
    return problems


def cells(printed: Printed) -> list[str]:
    return words_inside_cells(printed.pdf)


def overlaps(printed: Printed) -> list[str]:
    return no_overlapping_words(printed.pdf)


def margins(printed: Printed) -> list[str]:
    return inside_printable_area(printed.pdf)


def rows_once(printed: Printed) -> list[str]:
    problems = []
    for sheet in printed.document.sheets:
        if sheet.keys:
            text = printed.pdf.sheet(sheet.name).text
            problems += [f"«{sheet.name}»: {p}" for p in each_once(text, sheet.keys)]
    return problems


def headings(printed: Printed) -> list[str]:
    return heading_on_every_sheet(
        printed.pdf, {sheet.name: sheet.heading for sheet in printed.document.sheets}
    )


def signatures(printed: Printed) -> list[str]:
    problems = []
    for sheet in printed.document.sheets:
        if sheet.place_and_date:
            problems += signature_block_on_one_page(
                printed.pdf.sheet(sheet.name),
                sheet.place_and_date,
                sheet.signature_titles,
                sheet.signature_names,
                sheet.row_texts,
            )
    return problems


def pages_as_planned(printed: Printed) -> list[str]:
    """Each sheet prints on the pages the writer planned: no break of LibreOffice's own."""
    problems = []
    for sheet in printed.document.sheets:
        found = page_count(printed.pdf.sheet(sheet.name), sheet.planned_pages)
        problems += [f"«{sheet.name}»: {p}" for p in found]
    return problems


CHECKS = {
    "a4": paper,
    "words_inside_cells": cells,
    "no_overlapping_words": overlaps,
    "inside_printable_area": margins,
    "each_once": rows_once,
    "heading_on_every_sheet": headings,
    "signature_block_on_one_page": signatures,
    "pages_as_planned": pages_as_planned,
}
