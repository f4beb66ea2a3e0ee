"""Helpers shared by the registry's management commands."""

from django.core.management.base import CommandError

from beneficiaries.models import Commune


def commune_by_code(code: str) -> Commune:
    """The commune of a ``--commune CODE`` option, or a clear error."""
    try:
        return Commune.objects.get(code=code)
    except Commune.DoesNotExist:
        raise CommandError(f"Không có xã mã {code}.") from None
