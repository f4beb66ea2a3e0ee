from django.core.management.base import BaseCommand

from desk.reference import load_reference_data


class Command(BaseCommand):
    help = "Nạp dữ liệu tham chiếu: tỉnh, chương trình, diện đối tượng, ngân hàng, mức chuẩn."

    def handle(self, *args, **options) -> None:
        summary = load_reference_data()
        for kind in sorted(set(summary.created) | set(summary.updated)):
            self.stdout.write(
                f"{kind}: {summary.created.get(kind, 0)} mới, {summary.updated.get(kind, 0)} cập nhật"
            )
