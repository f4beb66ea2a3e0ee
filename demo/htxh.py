"""Hưu trí xã hội in the demo: its first month, 07/2025, in Xã Hà Trung.

Through the services, as the officer and the leader would: a few people of 70
and over who had nothing before are enrolled with the conditions they
declared (no pension, and for HTXH_70_NGHEO a poor household), each with its
paper and date; the people of 80 and over on BTXH_K5C who declared "no
pension" are moved to HTXH_75 by a proposal the leader approves (one in five
has not brought the declaration yet and is left out, with the reason on the
proposal). Once: nothing is done again when the commune already has HTXH
enrolments. The names are invented.
"""

from __future__ import annotations

import datetime

from amounts.services import start_entitlement
from beneficiaries.models import Beneficiary, Category, Commune, EnrolmentCondition, Person
from beneficiaries.services import record_condition, save_beneficiary, save_person
from demo.payments import moment
from demo.quality import free_personal_id
from registration.models import PaymentMethodRegistration, ProgrammeTransfer
from registration.services import register_payment_method
from registration.transfers import approve_transfer, propose_transfer

HTXH_MONTH = datetime.date(2025, 7, 1)
DECIDED_ON = datetime.date(2025, 6, 20)
NO_PENSION_PAPER = "Tờ khai không hưởng lương hưu, trợ cấp BHXH hằng tháng"
DECLARED_ON = datetime.date(2025, 6, 10)
LEFT_OUT_EVERY = 5

# (full name, male, birth date, category, poor household certificate or "")
NEW_ENROLMENTS = (
    ("Lê Thị Nụ", False, datetime.date(1948, 3, 12), "HTXH_75", ""),
    ("Phạm Văn Khải", True, datetime.date(1949, 8, 2), "HTXH_75", ""),
    ("Trịnh Thị Gái", False, datetime.date(1950, 1, 25), "HTXH_75", ""),
    (
        "Nguyễn Văn Tứ",
        True,
        datetime.date(1953, 5, 9),
        "HTXH_70_NGHEO",
        "Giấy chứng nhận hộ nghèo số 14/GCN-UBND",
    ),
    (
        "Đỗ Thị Hiên",
        False,
        datetime.date(1954, 11, 30),
        "HTXH_70_NGHEO",
        "Giấy chứng nhận hộ cận nghèo số 31/GCN-UBND",
    ),
)


def enrol_new(commune: Commune, *, officer) -> list[Beneficiary]:
    """The new HTXH enrolments of 07/2025, with their declared conditions."""
    villages = list(commune.villages.order_by("pk"))
    made = []
    for index, (name, male, born, code, poor) in enumerate(NEW_ENROLMENTS):
        village = villages[(index * 3) % len(villages)]
        person = save_person(
            Person(
                full_name=name,
                birth_date=born,
                birth_year=born.year,
                gender=Person.Gender.MALE if male else Person.Gender.FEMALE,
                personal_id=free_personal_id(born.year, male, 970100 + index),
                commune=commune,
                village=village,
                address=f"Xóm {index + 2}, {village.name}",
            ),
            actor=officer,
        )
        conditions = [
            EnrolmentCondition(
                kind=EnrolmentCondition.Kind.NO_PENSION,
                document=NO_PENSION_PAPER,
                document_date=DECLARED_ON,
                valid_from=HTXH_MONTH,
            )
        ]
        if poor:
            conditions.append(
                EnrolmentCondition(
                    kind=EnrolmentCondition.Kind.POOR_HOUSEHOLD,
                    document=poor,
                    document_date=datetime.date(2025, 1, 15),
                    valid_from=datetime.date(2025, 1, 1),
                )
            )
        category = Category.objects.select_related("programme").get(code=code)
        enrolment = save_beneficiary(
            Beneficiary(
                person=person,
                commune=commune,
                programme=category.programme,
                category=category,
                decision_number=f"{41 + index}/QĐ-UBND",
                decision_date=DECIDED_ON,
                start_month=HTXH_MONTH,
            ),
            actor=officer,
            conditions=conditions,
        )
        start_entitlement(enrolment, actor=officer)
        register_payment_method(
            enrolment,
            method=PaymentMethodRegistration.Method.CASH,
            from_month=HTXH_MONTH,
            requested_on=DECIDED_ON,
            form_reference=f"HTXH-{index + 1:02d}",
            actor=officer,
        )
        made.append(enrolment)
    return made


def move_k5c(commune: Commune, *, officer, leader) -> ProgrammeTransfer | None:
    """BTXH_K5C people of 80 and over who declared no pension move to HTXH_75."""
    k5c = list(
        Beneficiary.objects.filter(
            commune=commune,
            category__code="BTXH_K5C",
            status=Beneficiary.Status.ACTIVE,
            person__date_of_death__isnull=True,
        )
        .select_related("person")
        .order_by("person__sort_name", "pk")
    )
    if not k5c:
        return None
    # One in five has not brought the declaration yet: left out of the move.
    for index, enrolment in enumerate(k5c):
        if index % LEFT_OUT_EVERY == 0:
            continue
        record_condition(
            enrolment.person,
            kind=EnrolmentCondition.Kind.NO_PENSION,
            document=NO_PENSION_PAPER,
            document_date=DECLARED_ON,
            valid_from=HTXH_MONTH,
            actor=officer,
        )
    transfer = propose_transfer(
        commune,
        from_category_code="BTXH_K5C",
        to_category_code="HTXH_75",
        month=HTXH_MONTH,
        actor=officer,
    )
    transfer = approve_transfer(transfer, actor=leader)
    ProgrammeTransfer.objects.filter(pk=transfer.pk).update(
        proposed_at=moment(DECIDED_ON, 9),
        approved_at=moment(DECIDED_ON + datetime.timedelta(days=3), 9),
    )
    return transfer


def start_htxh_if_due(commune: Commune, month: datetime.date, *, officer, leader) -> bool:
    """Before paying 07/2025 (or any later first month): HTXH's first enrolments, once."""
    if month < HTXH_MONTH:
        return False
    if Beneficiary.objects.filter(commune=commune, programme__code="HTXH").exists():
        return False
    enrol_new(commune, officer=officer)
    move_k5c(commune, officer=officer, leader=leader)
    return True
