"""Keeps the roles' permissions in step with the models after every migrate."""

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from core.roles import sync_role_permissions


@receiver(post_migrate, dispatch_uid="beneficiaries_sync_roles")
def sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    # post_migrate fires once per app; the last app's call sees every permission.
    if sender.name != "reports":
        return
    sync_role_permissions(Group, Permission, using=using)
