"""The demo: Yến Sơn (15307) and Hà Bình (15280), their people and payments
month by month up to today, and one user per role.

``seed_demo`` is what ``make run`` calls every time, so it is idempotent and
incremental: the communes' people are generated only when they hold no
enrolment yet; then every month since :data:`demo.timeline.FIRST_MONTH` that
is not closed yet is paid and closed (lists and report sent), and this month's
cycle is opened as a draft with its blockers (:mod:`demo.timeline`). Run again
the same month it writes nothing; a month later it adds that month. Users,
their role, their commune and their password are ensured on every run, and
nothing is written when they are already as they should be.

The village names are illustrative, not the communes' official lists; Hà
Bình's code 15280 is illustrative too; the signatories are invented names.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Bank
from beneficiaries.models import Beneficiary, Commune, Programme
from core import roles
from core.bulk import HistoryStamp
from core.rules.months import first_of_month, previous_month
from demo.checks import check_month
from demo.quality import verify_everyone
from demo.registration import seed_registration_demo
from demo.synthetic import (
    DEFAULT_AS_OF,
    Counts,
    Reference,
    UniquePool,
    populate_commune,
)
from demo.timeline import Staff, Timeline, past_months, this_month
from desk.reference import load_reference_data

DEMO_SEED = 15307
DEMO_SIZE = 200
DEMO_COMMUNE = {
    "code": "15307",
    "name": "Yến Sơn",
    "district_name": "Hà Trung",
    "province_name": "Thanh Hóa",
    "issuing_body": "ỦY BAN NHÂN DÂN XÃ YẾN SƠN",
    "place_name": "Yến Sơn",
    "preparer_name": "Lê Thị Hoa",
    "accountant_name": "Nguyễn Thị Thu Hà",
    "leader_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
    "leader_name": "Trịnh Văn Bình",
}
DEMO_VILLAGES = (
    "Thôn Đông Sơn",
    "Thôn Tây Sơn",
    "Thôn Nam Sơn",
    "Thôn Bắc Sơn",
    "Thôn Trung Sơn",
    "Thôn Yên Bình",
    "Thôn Tân Lập",
    "Thôn Đồng Tâm",
)
#: Another old commune of Hà Trung district, merged with Yến Sơn into Xã Hà Trung.
#: The code is illustrative (5 digits, near Hà Trung's); the names are invented.
#: Three of its village names are also Yến Sơn's: the merger tells them apart.
OTHER_SIZE = 100
OTHER_COMMUNE = {
    "code": "15280",
    "name": "Hà Bình",
    "district_name": "Hà Trung",
    "province_name": "Thanh Hóa",
    "issuing_body": "ỦY BAN NHÂN DÂN XÃ HÀ BÌNH",
    "place_name": "Hà Bình",
    "preparer_name": "Đỗ Thị Mai",
    "accountant_name": "Lê Văn Tâm",
    "leader_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
    "leader_name": "Hoàng Văn Quý",
}
OTHER_VILLAGES = (
    "Thôn Đông Sơn",
    "Thôn Tân Lập",
    "Thôn Yên Bình",
    "Thôn Bình Lâm",
    "Thôn Đại Bình",
    "Thôn Trung Thành",
)
#: The data is generated as the old communes stood in their last month (06/2025).
GENERATED_AS_OF = DEFAULT_AS_OF
OLD_CODES = [DEMO_COMMUNE["code"], OTHER_COMMUNE["code"]]
# Fixed on purpose: printed by seed_demo for anyone trying the demo locally.
DEMO_PASSWORD = "demo-yenson-2023"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str | None  # None: the superuser
    first_name: str
    last_name: str
    is_staff: bool


# The labour officer and the police work in the admin too (identity checks).
DEMO_USERS = (
    DemoUser("admin", None, "Quản trị", "", True),
    DemoUser("canbo", roles.LABOUR_OFFICER, "Hoa", "Lê Thị", True),
    DemoUser("congan", roles.POLICE, "Dũng", "Phạm Văn", True),
    DemoUser("ketoan", roles.ACCOUNTANT, "Hà", "Nguyễn Thị Thu", False),
    DemoUser("chutich", roles.LEADER, "Bình", "Trịnh Văn", False),
    DemoUser("buudien", roles.POST_OFFICE, "Lan", "Đỗ Thị", False),
    DemoUser("tinh", roles.DISTRICT, "Minh", "Hoàng Đức", False),
)


@dataclass
class DemoResult:
    commune: Commune
    generated: bool  # False: the commune already had data, left as it was
    counts: Counts
    users: list[tuple[str, str, str]]  # username, role label, password
    timeline: Timeline = dataclasses.field(default_factory=Timeline)


def ensure_reference_data() -> bool:
    """Load the shipped reference data when the tables are still empty."""
    if Programme.objects.exists() and Bank.objects.exists():
        return False
    load_reference_data()
    return True


def _ensure_user(spec: DemoUser, commune: Commune) -> None:
    user, created = User.objects.get_or_create(
        username=spec.username,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "is_staff": spec.is_staff,
            "is_superuser": spec.role is None,
        },
    )
    changed = created
    if not user.is_active or user.is_staff != spec.is_staff:
        user.is_active, user.is_staff = True, spec.is_staff
        changed = True
    if spec.role is None and not user.is_superuser:
        user.is_superuser = True
        changed = True
    # check_password first: setting it again would write a new hash every run.
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed = True
    if changed:
        user.save()
    if spec.role is not None:
        # The groups come from the roles data migration; create one only if it was removed.
        group, _created = Group.objects.get_or_create(name=spec.role)
        user.groups.add(group)
    commune.members.add(user)


def _ensure_commune(
    spec: dict, size: int, village_names, *, stamp, pool, ref
) -> tuple[Commune, Counts | None]:
    fields = {k: v for k, v in spec.items() if k != "code"}
    commune, _created = Commune.objects.get_or_create(code=spec["code"], defaults=fields)
    if Beneficiary.objects.filter(commune=commune).exists() or commune.merged_into_id:
        return commune, None
    counts = populate_commune(
        commune,
        size=size,
        seed=DEMO_SEED,
        ref=ref,
        pool=pool,
        stamp=stamp,
        as_of=GENERATED_AS_OF,
        village_names=village_names,
    )
    return commune, counts


def _staff() -> Staff:
    users = User.objects.in_bulk(
        ["canbo", "chutich", "congan", "ketoan", "buudien"], field_name="username"
    )
    return Staff(
        officer=users["canbo"],
        leader=users["chutich"],
        police=users["congan"],
        accountant=users["ketoan"],
        post_office=users["buudien"],
    )


@transaction.atomic
def seed_demo(*, as_of: datetime.date | None = None) -> DemoResult:
    """Create (once) the demo communes and their data, bring their months up to
    ``as_of`` (today), and ensure the demo users."""
    as_of = as_of or timezone.localdate()
    ensure_reference_data()
    stamp = HistoryStamp(user=None, date=timezone.now(), reason=_("Dữ liệu mẫu (seed_demo)"))
    ref, pool = Reference.load(), UniquePool(DEMO_SEED)
    yen_son, counts = _ensure_commune(
        DEMO_COMMUNE, DEMO_SIZE, DEMO_VILLAGES, stamp=stamp, pool=pool, ref=ref
    )
    ha_binh, other_counts = _ensure_commune(
        OTHER_COMMUNE, OTHER_SIZE, OTHER_VILLAGES, stamp=stamp, pool=pool, ref=ref
    )
    generated = counts is not None
    home = _home(yen_son, as_of)
    for spec in DEMO_USERS:
        _ensure_user(spec, home)
    if yen_son.merged_into_id is None:
        # The paying office oversees both old communes.
        ha_binh.members.add(*User.objects.filter(username="tinh"))
    timeline = Timeline()
    staff = _staff()
    for commune, made in ((yen_son, counts), (ha_binh, other_counts)):
        if made is not None:
            # The police had checked everyone before the commune's first month here.
            verify_everyone(commune, police=staff.police)
    past_months(OLD_CODES, first_of_month(as_of), staff, timeline)
    home = _home(yen_son, as_of)
    if generated:
        seed_registration_demo(home, as_of=as_of)
    this_month(OLD_CODES, as_of, staff, timeline)
    # Last month's closed cycle of the home commune: a sample asked, one case open.
    check_month(_home(yen_son, as_of), previous_month(first_of_month(as_of)), officer=staff.officer)
    if other_counts is not None and counts is not None:
        counts.add(other_counts)
    users = [
        (
            spec.username,
            str(roles.ROLE_LABELS[spec.role]) if spec.role else _("Quản trị hệ thống"),
            DEMO_PASSWORD,
        )
        for spec in DEMO_USERS
    ]
    return DemoResult(
        commune=home,
        generated=generated,
        counts=counts or Counts(),
        users=users,
        timeline=timeline,
    )


def _home(yen_son: Commune, as_of: datetime.date) -> Commune:
    """Yến Sơn, or the commune it merged into once the merger took effect."""
    yen_son.refresh_from_db()
    if yen_son.merged_into_id and yen_son.merged_on and as_of >= yen_son.merged_on:
        return yen_son.merged_into
    return yen_son
