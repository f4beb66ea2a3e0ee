"""The access primitives: a user's roles and the check every service and view makes.

Scoping by commune (which rows a user reaches) is the registry's
(``beneficiaries.access``): it needs the communes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


def user_roles(user) -> frozenset[str]:
    """The role names of a user (cached on the user object for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_any_role(user, allowed: frozenset[str]) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user_roles(user) & allowed))


def require_role(user, allowed: frozenset[str]) -> None:
    if not has_any_role(user, allowed):
        raise PermissionDenied


def require_actor(actor, allowed: frozenset[str]) -> None:
    """A service's role check: ``None`` is the system (a beat job, an import, the demo)."""
    if actor is not None and not has_any_role(actor, allowed):
        raise PermissionDenied


def prepared_by(prepared_by_id: int | None, actor) -> bool:
    """Whether ``actor`` prepared what they are about to approve (four eyes: the
    leader approves what somebody else prepared; the schedule prepares for nobody)."""
    return prepared_by_id is not None and prepared_by_id == getattr(actor, "pk", None)
