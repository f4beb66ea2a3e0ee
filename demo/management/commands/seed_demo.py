"""Create the demo communes, their months up to today and one user per role (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import Commune
from demo.seed import seed_demo


class Command(BaseCommand):
    help = gettext_lazy(
        "Tạo dữ liệu mẫu (xã Yến Sơn, Hà Bình, từ 01/07/2025 là xã Hà Trung) và các kỳ chi trả "
        "đến tháng hiện tại, với tài khoản mẫu; chạy lại không nhân đôi, tháng sau chỉ thêm tháng mới."
    )

    def handle(self, *args, **options) -> None:
        result = seed_demo()
        commune = result.commune
        if result.generated:
            c = result.counts
            self.stdout.write(
                _(
                    "Đã tạo dữ liệu mẫu (xã Yến Sơn 15307 và Hà Bình 15280): %(villages)d thôn, "
                    "%(people)d người, %(beneficiaries)d lượt hưởng, %(representatives)d "
                    "người nhận thay, %(accounts)d tài khoản, %(registrations)d đăng ký, "
                    "%(entitlements)d mức hưởng."
                )
                % {
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
        timeline = result.timeline
        if timeline.closed:
            first, last = timeline.closed[0][1], timeline.closed[-1][1]
            self.stdout.write(
                _("Đã chi trả và khóa sổ %(count)d kỳ chi trả, từ tháng %(first)s đến %(last)s.")
                % {
                    "count": len(timeline.closed),
                    "first": f"{first:%m/%Y}",
                    "last": f"{last:%m/%Y}",
                }
            )
        names = dict(
            Commune.objects.filter(code__in=[c for c, _m in timeline.drafts]).values_list(
                "code", "name"
            )
        )
        for code, month in timeline.drafts:
            self.stdout.write(
                _("Đã lập nháp kỳ chi trả tháng %(month)s của xã %(name)s (%(code)s).")
                % {"month": f"{month:%m/%Y}", "name": names.get(code, ""), "code": code}
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
