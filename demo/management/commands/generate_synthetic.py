"""Generate deterministic synthetic communes for benchmarks."""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.synthetic import DEFAULT_AS_OF, SyntheticError, generate_synthetic


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Ngày không hợp lệ: %(value)s (dạng YYYY-MM-DD).") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = gettext_lazy(
        "Sinh dữ liệu tổng hợp, tất định theo --seed, cho các xã mẫu 90001, 90002, … "
        '("Xã Mẫu 01", …).'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--communes", type=int, required=True, help=gettext_lazy("số xã mẫu"))
        parser.add_argument(
            "--beneficiaries",
            type=int,
            required=True,
            help=gettext_lazy("tổng số lượt hưởng, chia đều cho các xã"),
        )
        parser.add_argument(
            "--seed", type=int, default=1, help=gettext_lazy("hạt giống ngẫu nhiên (mặc định 1)")
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=gettext_lazy("xóa dữ liệu cũ của các xã mẫu này trước khi sinh lại"),
        )
        parser.add_argument(
            "--as-of",
            type=_date,
            default=DEFAULT_AS_OF,
            help=gettext_lazy("ngày tham chiếu của dữ liệu (mặc định %(day)s)")
            % {"day": DEFAULT_AS_OF},
        )

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity >= 2:
                self.stdout.write(_("  %(done)d/%(total)d xã") % {"done": done, "total": total})

        started = time.perf_counter()
        try:
            result = generate_synthetic(
                communes=options["communes"],
                beneficiaries=options["beneficiaries"],
                seed=options["seed"],
                replace=options["replace"],
                as_of=options["as_of"],
                progress=progress,
            )
        except SyntheticError as exc:
            raise CommandError(exc.message) from exc
        seconds = time.perf_counter() - started
        c = result.counts
        if result.purged:
            self.stdout.write(_("Đã xóa %(rows)d dòng dữ liệu mẫu cũ.") % {"rows": result.purged})
        self.stdout.write(
            _(
                "Đã sinh %(communes)d xã mẫu (%(first)s–%(last)s): %(people)d người, "
                "%(beneficiaries)d lượt hưởng, %(representatives)d người nhận thay, "
                "%(accounts)d tài khoản, %(registrations)d đăng ký, %(entitlements)d mức hưởng, "
                "%(history)d dòng lịch sử; %(rows)d dòng trong %(seconds).1f giây."
            )
            % {
                "communes": len(result.communes),
                "first": result.communes[0].code,
                "last": result.communes[-1].code,
                "people": c.people,
                "beneficiaries": c.beneficiaries,
                "representatives": c.representatives,
                "accounts": c.accounts,
                "registrations": c.registrations,
                "entitlements": c.entitlements,
                "history": c.history,
                "rows": c.rows,
                "seconds": seconds,
            }
        )
