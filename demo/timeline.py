"""The demo's months, from the first paid in the system to this one.

Each month before this one, for each commune paying that month: the police's
and the officer's clean-up (:mod:`demo.quality`), the registration lists built
and sent, the cycle opened, approved and sent, the monthly report sent, the
cycle paid, its cash account kept and confirmed, and closed. This month: its
blockers planted, the changes that leave months paid and not owed
(:mod:`demo.recoveries`, once), its cycle opened as
a draft and its lists built (not sent: the gate holds them). A month whose cycle is closed is left as it is, so a second run in
the same month writes nothing and a run a month later adds only that month.

Months before :data:`FIRST_MONTH` were paid outside the system (the cycles
owe nothing before the commune's first cycle).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User

from beneficiaries.models import Commune
from core.rules.months import first_of_month, next_month
from demo.htxh import start_htxh_if_due
from demo.payments import open_draft, send_cycle, settle_cycle
from demo.quality import clear_findings, plant_for_month, verify_everyone
from demo.recoveries import plant_recoveries
from demo.sending import build_lists, send_lists, send_report
from desk.merger import merge_communes
from payments.models import PaymentCycle

#: The first month paid in the system: a quarter before the merger, then Xã Hà
#: Trung's months (more than a year of them by 2026), and a quick seed.
FIRST_MONTH = datetime.date(2025, 4, 1)
#: Since 1/7/2025 Yến Sơn and Hà Bình are part of Xã Hà Trung (15271). The signers
#: are invented names.
MERGED_ON = datetime.date(2025, 7, 1)
MERGED_INTO = {
    "code": "15271",
    "name": "Hà Trung",
    "fields": {
        "issuing_body": "ỦY BAN NHÂN DÂN XÃ HÀ TRUNG",
        "place_name": "Hà Trung",
        "province_name": "Thanh Hóa",
        "preparer_name": "Lê Thị Hoa",
        "accountant_name": "Phạm Thị Minh Nguyệt",
        "leader_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        "leader_name": "Nguyễn Văn Hùng",
    },
}


@dataclass(frozen=True)
class Staff:
    officer: User
    leader: User
    police: User
    accountant: User
    post_office: User


@dataclass
class Timeline:
    """What a run added: the months paid and closed, per commune code, and the drafts."""

    closed: list[tuple[str, datetime.date]] = field(default_factory=list)
    drafts: list[tuple[str, datetime.date]] = field(default_factory=list)


def paying_communes(codes: list[str], month: datetime.date) -> list[Commune]:
    """The communes that pay ``month``: each old commune, or the one it merged into
    once the merger took effect."""
    communes: dict[int, Commune] = {}
    for commune in Commune.objects.filter(code__in=codes).select_related("merged_into"):
        if (
            commune.merged_into_id
            and commune.merged_on
            and month >= first_of_month(commune.merged_on)
        ):
            communes.setdefault(commune.merged_into_id, commune.merged_into)
        else:
            communes.setdefault(commune.pk, commune)
    return sorted(communes.values(), key=lambda c: c.code)


def merge_if_due(codes: list[str], month: datetime.date) -> bool:
    """From its month on, the old communes are merged into Xã Hà Trung (once)."""
    if month < MERGED_ON:
        return False
    if not Commune.objects.filter(code__in=codes, merged_into__isnull=True).exists():
        return False
    merge_communes(
        into_code=MERGED_INTO["code"],
        name=MERGED_INTO["name"],
        from_codes=list(
            Commune.objects.filter(code__in=codes, merged_into__isnull=True).values_list(
                "code", flat=True
            )
        ),
        on=MERGED_ON,
        actor=None,
        fields=MERGED_INTO["fields"],
    )
    return True


def _closed(commune: Commune, month: datetime.date) -> bool:
    return PaymentCycle.objects.filter(
        commune=commune, period=month, status=PaymentCycle.Status.CLOSED
    ).exists()


def pay_month(commune: Commune, month: datetime.date, staff: Staff) -> None:
    """One past month of one commune, from the clean-up to the closed cycle."""
    start_htxh_if_due(commune, month, officer=staff.officer, leader=staff.leader)
    verify_everyone(commune, police=staff.police)
    clear_findings(commune, officer=staff.officer)
    send_lists(commune, month, officer=staff.officer, leader=staff.leader)
    cycle = send_cycle(commune, month, officer=staff.officer, leader=staff.leader)
    send_report(commune, month, officer=staff.officer)
    settle_cycle(
        cycle, officer=staff.officer, accountant=staff.accountant, post_office=staff.post_office
    )


def past_months(codes: list[str], until: datetime.date, staff: Staff, timeline: Timeline) -> None:
    """Every month from :data:`FIRST_MONTH` up to (not including) ``until``."""
    month = FIRST_MONTH
    while month < until:
        merge_if_due(codes, month)
        for commune in paying_communes(codes, month):
            if not _closed(commune, month):
                pay_month(commune, month, staff)
                timeline.closed.append((commune.code, month))
        month = next_month(month)


def this_month(
    codes: list[str], as_of: datetime.date, staff: Staff, timeline: Timeline
) -> list[PaymentCycle]:
    """This month's drafts, with the blockers the month's data brought, once."""
    month = first_of_month(as_of)
    merge_if_due(codes, month)
    drafts = []
    for commune in paying_communes(codes, month):
        cycle = PaymentCycle.objects.filter(commune=commune, period=month).first()
        if cycle is None:
            start_htxh_if_due(commune, month, officer=staff.officer, leader=staff.leader)
            plant_for_month(commune, month, today=as_of, officer=staff.officer)
            plant_recoveries(commune, month, officer=staff.officer)
            cycle = open_draft(commune, month, officer=staff.officer)
            build_lists(commune, month, officer=staff.officer, leader=staff.leader, today=as_of)
            timeline.drafts.append((commune.code, month))
        drafts.append(cycle)
    return drafts
