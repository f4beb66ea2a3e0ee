"""Every document of a commune for a month: .xlsx, PDF (LibreOffice) and PNG pages."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import Commune
from demo.documents import NOT_YET_XLSX, render_every_document
from demo.timeline import MERGED_INTO
from payments.models import PaymentCycle


def _month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a month, no time
    except ValueError as exc:
        raise CommandError(_("Tháng theo dạng YYYY-MM, ví dụ 2025-06.")) from exc


class Command(BaseCommand):
    help = gettext_lazy(
        "In thử mọi văn bản của một xã trong một tháng: tệp .xlsx, PDF (LibreOffice) "
        "và ảnh PNG từng trang, vào một thư mục."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", default="build/documents", help="thư mục kết quả")
        parser.add_argument("--commune", default=MERGED_INTO["code"], help="mã xã")
        parser.add_argument(
            "--month", help="YYYY-MM; mặc định tháng của kỳ chi trả gần nhất của xã"
        )

    def handle(self, *args, out: str, commune: str, month: str | None, **options) -> None:
        from printcheck import PrintCheckError, to_pdf, to_png

        found = Commune.objects.filter(code=commune).first()
        if found is None:
            raise CommandError(_("Không có xã mã %(code)s.") % {"code": commune})
        if month:
            period = _month(month)
        else:
            latest = PaymentCycle.objects.filter(commune=found).order_by("-period").first()
            if latest is None:
                raise CommandError(_("Xã chưa có kỳ chi trả nào: chỉ rõ --month YYYY-MM."))
            period = latest.period
        folder = Path(out)
        documents = render_every_document(
            found, period, folder / "xlsx", progress=lambda line: self.stdout.write(line)
        )
        try:
            pdfs = to_pdf([d.path for d in documents], folder / "pdf")
            for document, pdf in zip(documents, pdfs, strict=True):
                pages = to_png(pdf, folder / "png" / document.kind)
                self.stdout.write(
                    _("%(pdf)s: %(pages)d trang") % {"pdf": pdf.name, "pages": len(pages)}
                )
        except PrintCheckError as exc:
            raise CommandError(str(exc)) from exc
        for kind, label in NOT_YET_XLSX.items():
            self.stdout.write(
                _("Chưa có tệp .xlsx: %(label)s (%(kind)s)") % {"label": label, "kind": kind}
            )
        self.stdout.write(
            _("Xã %(name)s, tháng %(month)s: %(count)d văn bản trong %(folder)s")
            % {
                "name": found.name,
                "month": f"{period:%m/%Y}",
                "count": len(documents),
                "folder": folder,
            }
        )
