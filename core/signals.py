"""Keeps the roles' permissions in step with the models after every migrate."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from core.roles import sync_role_permissions


@receiver(post_migrate, dispatch_uid="core_sync_roles")
def sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    # post_migrate fires once per app with models; the last one's call sees every permission.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not with_models[-1]:
        return
    sync_role_permissions(Group, Permission, using=using)
