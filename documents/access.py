"""Who may see which generated file: the kinds' registered rules, applied in one place.

Every page that lists files and the one download and progress views go
through here. A file is seen by a user when it belongs to one of their
communes and its kind's :class:`~documents.builders.Access` lets them see it:
another commune's file, another programme's (for a user limited to some
programmes), or one not yet sent to the paying office, is a 404 (as if it did
not exist); a role that may not see files of that kind at all is a 403.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from beneficiaries.access import commune_ids_for, programme_ids_for
from core.access import require_role
from documents.builders import BUILDERS, kind_of
from documents.models import GeneratedFile


def roles_that_see_files() -> frozenset[str]:
    """Every role that may see some kind of file."""
    return frozenset().union(*(k.access.roles for k in BUILDERS.values()))


def visible_condition(user) -> Q | None:
    """The files a user may see, kind by kind, as one condition (``None``: none)."""
    conditions = []
    for kind in BUILDERS:
        condition = kind_condition(user, kind)
        if condition is not None:
            conditions.append(Q(kind=kind) & condition)
    return reduce(or_, conditions) if conditions else None


def kind_condition(user, kind: str) -> Q | None:
    """The files of one kind a user sees (``None``: none): its role rule, then
    the user's programmes."""
    access = kind_of(kind).access
    condition = access.condition_for(user)
    if condition is None:
        return None
    return condition & access.programme_condition(programme_ids_for(user))


def visible_files(user, files: QuerySet[GeneratedFile] | None = None) -> QuerySet[GeneratedFile]:
    """``files`` (default: all) narrowed to those the user may see."""
    files = GeneratedFile.objects.all() if files is None else files
    condition = visible_condition(user)
    if condition is None:
        return files.none()
    return files.filter(condition, commune_id__in=commune_ids_for(user))


def get_file_for(user, pk: int) -> GeneratedFile:
    """A generated file the user may see: 403 for a role that sees no file, or
    not this kind; 404 outside their communes, or before it reached them."""
    require_role(user, roles_that_see_files())
    try:
        generated = GeneratedFile.objects.select_related("commune", "programme").get(
            pk=pk, commune_id__in=commune_ids_for(user)
        )
    except (GeneratedFile.DoesNotExist, ValueError):
        raise Http404 from None
    require_role(user, kind_of(generated.kind).access.roles)
    condition = kind_condition(user, generated.kind)
    if condition and not GeneratedFile.objects.filter(condition, pk=generated.pk).exists():
        raise Http404
    return generated
