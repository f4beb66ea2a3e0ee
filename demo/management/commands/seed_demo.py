"""Create the demo commune Yến Sơn and one user per role (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.seed import seed_demo


class Command(BaseCommand):
    help = gettext_lazy(
        "Tạo xã mẫu Yến Sơn (15307) với dữ liệu và tài khoản mẫu; chạy lại không nhân đôi."
    )

    def handle(self, *args, **options) -> None:
        result = seed_demo()
        commune = result.commune
        if result.generated:
            c = result.counts
            self.stdout.write(
                _(
                    "Đã tạo dữ liệu mẫu cho xã %(name)s (%(code)s): %(villages)d thôn, "
                    "%(people)d người, %(beneficiaries)d lượt hưởng, %(representatives)d "
                    "người nhận thay, %(accounts)d tài khoản, %(registrations)d đăng ký, "
                    "%(entitlements)d mức hưởng."
                )
                % {
                    "name": commune.name,
                    "code": commune.code,
                    "villages": c.villages,
                    "people": c.people,
                    "beneficiaries": c.beneficiaries,
                    "representatives": c.representatives,
                    "accounts": c.accounts,
                    "registrations": c.registrations,
                    "entitlements": c.entitlements,
                }
            )
        else:
            self.stdout.write(
                _("Xã %(name)s (%(code)s) đã có dữ liệu: giữ nguyên, không tạo thêm.")
                % {"name": commune.name, "code": commune.code}
            )
        header = (_("Tên đăng nhập"), _("Vai trò"), _("Mật khẩu"))
        rows = [header, *result.users]
        widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(_("Tài khoản mẫu (http://127.0.0.1:8000):"))
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
            if index == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
