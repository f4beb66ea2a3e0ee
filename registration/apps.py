from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registration"
    verbose_name = _("Đăng ký chi trả")

    def ready(self) -> None:
        from registration import listfiles  # noqa: F401  (registers the lists' builder)
