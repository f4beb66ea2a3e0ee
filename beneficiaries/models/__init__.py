"""Models of the registry, split by aggregate."""

from beneficiaries.models.checks import IdentityCheck, Verification
from beneficiaries.models.conditions import EnrolmentCondition
from beneficiaries.models.imports import ImportBatch
from beneficiaries.models.places import Commune, Province, Village
from beneficiaries.models.programmes import Category, Programme, ProgrammeSetting
from beneficiaries.models.registry import Beneficiary, Person, Representative, person_sort_name

__all__ = [
    "Beneficiary",
    "Category",
    "Commune",
    "EnrolmentCondition",
    "IdentityCheck",
    "ImportBatch",
    "Person",
    "Programme",
    "ProgrammeSetting",
    "Province",
    "Representative",
    "Verification",
    "Village",
    "person_sort_name",
]
