"""Creates the six roles with their permissions.

Permissions are normally created after migrate; they are created here first
so the groups get them on the very first migrate. Later models are added to
the groups by the post-migrate sync in ``core.signals``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from core.roles import sync_role_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_permissions(
        apps.get_model("auth", "Group"),
        apps.get_model("auth", "Permission"),
        using=schema_editor.connection.alias,
    )


def remove_roles(apps, schema_editor):
    from core.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("beneficiaries", "0001_initial"),
        ("payments", "0001_initial"),
        ("registration", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
