"""Rendering a commune's documents inside a rolled-back transaction and printing them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from demo.documents import RenderedDocument, render_every_document
from printcheck import PrintedPdf, read_pdf, to_pdf
from tests.conftest import fixed_moment


@dataclass
class Printed:
    document: RenderedDocument
    pdf: PrintedPdf


def print_documents(
    populate, period: datetime.date, out_dir: Path, *, only=None
) -> dict[str, Printed]:
    """``populate()`` returns the commune; its documents are rendered, then the data rolled back.

    All the workbooks go through LibreOffice in one call.
    """
    with transaction.atomic():
        commune = populate()
        documents = render_every_document(
            commune, period, out_dir, dated=fixed_moment().date(), only=only
        )
        transaction.set_rollback(True)
    pdfs = to_pdf([d.path for d in documents], out_dir / "pdf")
    return {d.kind: Printed(d, read_pdf(pdf)) for d, pdf in zip(documents, pdfs, strict=True)}
