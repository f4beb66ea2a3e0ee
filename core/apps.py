from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Nền tảng"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from core import signals  # noqa: F401  (connects the role sync)
        from core.users import full_name

        # Every page, list, history and file names a user by their full name.
        get_user_model().__str__ = full_name
