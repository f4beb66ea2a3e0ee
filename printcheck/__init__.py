"""Checking printed documents: .xlsx → PDF through LibreOffice, then rules on the PDF.

A tool beside the product (it imports nothing of it): the tests and the demo's
``preview_documents`` use it. :mod:`printcheck.convert` runs LibreOffice and
poppler, :mod:`printcheck.pdf` reads the PDF back (and says what LibreOffice
does with borders, cut text and sheets), :mod:`printcheck.checks` holds the
rules of the official layout.
"""

from printcheck.checks import (
    ND30_MARGINS,
    Margins,
    a4,
    each_once,
    heading_on_every_sheet,
    inside_printable_area,
    no_overlapping_words,
    page_count,
    signature_block_on_one_page,
    words_inside_cells,
)
from printcheck.convert import (
    PrintCheckError,
    planned_pages,
    sheet_orientations,
    soffice_path,
    to_pdf,
    to_png,
)
from printcheck.pdf import Page, PrintedPdf, Sheet, Word, read_pdf

__all__ = [
    "ND30_MARGINS",
    "Margins",
    "Page",
    "PrintCheckError",
    "PrintedPdf",
    "Sheet",
    "Word",
    "a4",
    "each_once",
    "heading_on_every_sheet",
    "inside_printable_area",
    "no_overlapping_words",
    "page_count",
    "planned_pages",
    "read_pdf",
    "sheet_orientations",
    "signature_block_on_one_page",
    "soffice_path",
    "to_pdf",
    "to_png",
    "words_inside_cells",
]
