"""The demo: commune Yến Sơn (15307) with its people, and one user per role.

``seed_demo`` is what ``make run`` calls every time, so it must be idempotent:
the commune's data is generated only when the commune holds no enrolment
yet; users, their role, their commune and their password are ensured on every
run, and nothing is written when they are already as they should be.

The village names are illustrative, not the commune's official list; the
signatories are invented names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Bank
from beneficiaries.models import Beneficiary, Commune, Programme
from core import roles
from core.bulk import HistoryStamp
from demo.payments import seed_cycle_demo
from demo.quality import plant_for_demo
from demo.registration import seed_registration_demo
from demo.synthetic import (
    DEFAULT_AS_OF,
    Counts,
    Reference,
    UniquePool,
    populate_commune,
)
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


@transaction.atomic
def seed_demo(*, as_of=DEFAULT_AS_OF) -> DemoResult:
    """Create (once) the demo commune and its data; ensure the demo users."""
    ensure_reference_data()
    fields = {k: v for k, v in DEMO_COMMUNE.items() if k != "code"}
    commune, _created = Commune.objects.get_or_create(code=DEMO_COMMUNE["code"], defaults=fields)
    counts = Counts()
    generated = not Beneficiary.objects.filter(commune=commune).exists()
    if generated:
        counts = populate_commune(
            commune,
            size=DEMO_SIZE,
            seed=DEMO_SEED,
            ref=Reference.load(),
            pool=UniquePool(DEMO_SEED),
            stamp=HistoryStamp(user=None, date=timezone.now(), reason=_("Dữ liệu mẫu (seed_demo)")),
            as_of=as_of,
            village_names=DEMO_VILLAGES,
        )
        seed_registration_demo(commune, as_of=as_of)
    for spec in DEMO_USERS:
        _ensure_user(spec, commune)
    if generated:
        plant_for_demo(commune)
        seed_cycle_demo(commune, as_of=as_of)
    users = [
        (
            spec.username,
            str(roles.ROLE_LABELS[spec.role]) if spec.role else _("Quản trị hệ thống"),
            DEMO_PASSWORD,
        )
        for spec in DEMO_USERS
    ]
    return DemoResult(commune=commune, generated=generated, counts=counts, users=users)
