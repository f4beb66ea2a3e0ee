from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from beneficiaries.management import commune_by_code
from core.rules.months import first_of_month
from registration.quality.checks import find_problems
from registration.quality.figures import summarise


class Command(BaseCommand):
    help = "Kiểm tra chất lượng dữ liệu của một xã; thoát với mã khác 0 khi có phát hiện chặn."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--commune", required=True, help="Mã xã")
        parser.add_argument(
            "--blocking-only", action="store_true", help="Chỉ in các phát hiện chặn"
        )

    def handle(self, *args, commune: str, blocking_only: bool, **options) -> None:
        # Today's registry: a commune merged by now holds nobody; say which to use.
        target = commune_by_code(commune, first_of_month(timezone.localdate()))
        findings = find_problems(target, today=timezone.localdate())
        for finding in findings:
            if blocking_only and not finding.blocking:
                continue
            level = "CHẶN" if finding.blocking else "CẢNH BÁO"
            who = finding.person_name
            if finding.personal_id:
                who += f" (CCCD {finding.personal_id})"
            self.stdout.write(f"[{level}] {finding.title} — {who}: {finding.message}")
        summary = summarise(findings)
        blocking = sum(row["count"] for row in summary if row["blocking"])
        warnings = sum(row["count"] for row in summary if not row["blocking"])
        self.stdout.write(
            f"Xã {target.name} ({target.code}): {blocking} phát hiện chặn, {warnings} cảnh báo."
        )
        for row in summary:
            level = "chặn" if row["blocking"] else "cảnh báo"
            self.stdout.write(f"  {row['title']} ({level}): {row['count']}")
        if blocking:
            raise CommandError(
                f"Có {blocking} phát hiện chặn: chưa thể gửi danh sách hoặc trình kỳ chi trả.",
                returncode=2,
            )
