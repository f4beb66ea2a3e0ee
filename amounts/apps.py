from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "amounts"
    verbose_name = _("Mức chuẩn và mức hưởng")
