"""A migration operation for models that move from one app to another.

When a model moves (its table renamed, the model moved in the migration state
only), its content type must follow so that its permissions, and the roles'
grants of them, go with it. Every move uses this one operation.
"""

from __future__ import annotations

from functools import partial

from django.db import migrations


def _relabel(apps, schema_editor, *, models: tuple[str, ...], source: str, target: str) -> None:
    """Move the models' content types from ``source`` to ``target``.

    A fresh database has none yet (post_migrate creates them); a migrated one
    has the ``source`` ones, and their permissions and group grants go along.
    Should both exist, the grants of the old permissions go to the new ones.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for model in models:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.using(db).filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.using(db).filter(content_type=old):
            twin = (
                Permission.objects.using(db)
                .filter(content_type=new, codename=permission.codename)
                .first()
            )
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()
        old.delete()


def relabel_content_types(models: tuple[str, ...], *, source: str, target: str):
    """A reversible ``RunPython`` moving the models' content types from app to app."""
    return migrations.RunPython(
        partial(_relabel, models=models, source=source, target=target),
        partial(_relabel, models=models, source=target, target=source),
    )
