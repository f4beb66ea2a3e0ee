"""Models of the registry, split by aggregate."""

from beneficiaries.models.checks import IdentityCheck, Verification
from beneficiaries.models.conditions import EnrolmentCondition
from beneficiaries.models.imports import ImportBatch
from beneficiaries.models.places import (
    Commune,
    CommuneMerged,
    Province,
    Village,
    commune_open_for,
    commune_title,
    merged_commune_problem,
    village_name_in,
)
from beneficiaries.models.programmes import (
    Category,
    Programme,
    ProgrammeAccess,
    ProgrammeSetting,
)
from beneficiaries.models.registry import (
    Beneficiary,
    EnrolmentCommunePeriod,
    Person,
    Representative,
    birth_year_of,
    commune_at,
    person_sort_name,
)

__all__ = [
    "Beneficiary",
    "Category",
    "Commune",
    "CommuneMerged",
    "EnrolmentCommunePeriod",
    "EnrolmentCondition",
    "IdentityCheck",
    "ImportBatch",
    "Person",
    "Programme",
    "ProgrammeAccess",
    "ProgrammeSetting",
    "Province",
    "Representative",
    "birth_year_of",
    "Verification",
    "Village",
    "commune_at",
    "commune_open_for",
    "commune_title",
    "merged_commune_problem",
    "village_name_in",
    "person_sort_name",
]
