"""Models of the registry, split by aggregate."""

from beneficiaries.models.checks import IdentityCheck, Verification
from beneficiaries.models.imports import ImportBatch
from beneficiaries.models.places import Commune, Province, Village
from beneficiaries.models.programmes import (
    Category,
    Programme,
    ProgrammeAccess,
    ProgrammeSetting,
)
from beneficiaries.models.registry import Beneficiary, Person, Representative, person_sort_name

__all__ = [
    "Beneficiary",
    "Category",
    "Commune",
    "IdentityCheck",
    "ImportBatch",
    "Person",
    "Programme",
    "ProgrammeAccess",
    "ProgrammeSetting",
    "Province",
    "Representative",
    "Verification",
    "Village",
    "person_sort_name",
]
