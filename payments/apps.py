from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = _("Chi trả")

    def ready(self) -> None:
        from payments import cyclefiles  # noqa: F401  (registers the cycle files' builders)
