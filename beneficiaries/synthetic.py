"""Deterministic synthetic registry data, for benchmarks and for the demo.

One generator serves ``generate_synthetic`` (many communes, benchmarks) and
``seed_demo`` (the demo commune Yến Sơn, at small size). A commune is first
*planned* — unsaved model instances linked to each other, all drawn from one
``random.Random`` seeded from the run's seed and the commune's code — then
*written* in bulk, history included.

Why the shapes below:

* The seed alone decides the data (never the global ``random``, never
  "today": ``as_of`` is a fixed date by default), so a benchmark measures the
  same rows every time and a failing test can be replayed.
* Each commune has its own ``Random`` so that commune 07 is the same whether
  5 or 50 communes are generated. Only unique numbers (CCCD, phones, account
  numbers) are shared across communes, through :class:`UniquePool`.
* Numbers already in the database (a demo commune next to synthetic ones)
  are found with one indexed query per commune and re-drawn from a separate
  ``Random``, so the main stream, and with it every other value, does not move.
* History is kept: one history row per written row, written in bulk with it
  (docs/history-and-events.md). On PostgreSQL both go through ``COPY``
  (:mod:`beneficiaries.bulk`), where history costs about a sixth of the run;
  elsewhere through ``bulk_create_with_history``, where it doubles it. The
  figures are in that module's docstring.
* One transaction for the whole run: a run that fails leaves nothing behind
  (like an import), and PostgreSQL does not mind a large transaction. Python
  memory stays bounded by one commune, because communes are planned and
  written one after the other.

The NCC amounts are illustrative multiples of the base level, not the decree
appendix: real amounts come from each person's decision.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from itertools import accumulate

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import get_history_model_for_model

from beneficiaries.bulk import HistoryStamp, bulk_insert_with_history
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    Person,
    Programme,
    Province,
    Representative,
    Village,
)
from payments.models import AllowanceRate, Bank, Entitlement, PaymentAccount
from registration.models import PaymentMethodRegistration

#: The reference month of generated data. Fixed, so that the seed alone decides
#: the output: June 2025 is the last month before Yến Sơn merged into Hà Trung.
DEFAULT_AS_OF = datetime.date(2025, 6, 1)
#: Synthetic communes take codes 90001, 90002, …: real commune codes end near 32250.
SYNTHETIC_CODE_BASE = 90000
MAX_SYNTHETIC_COMMUNES = 9999
HOME_PROVINCE = "038"  # Thanh Hóa
#: Rows per INSERT: large enough to amortise the round trip, small enough for
#: SQLite's variable limit (Django lowers it there by itself).
BATCH_SIZE = 2000
#: The 2023 plan started collecting payment choices in August 2023.
COLLECTION_START = datetime.date(2023, 8, 1)
EARLIEST_AS_OF = datetime.date(2023, 9, 1)
_EARLIEST_START = {"NCC": datetime.date(1995, 1, 1), "BTXH": datetime.date(2008, 1, 1)}

NCC_SHARE = 0.40  # of enrolments; the rest are BTXH
TWO_PROGRAMME_SHARE = 0.03  # of people: NCC and BTXH at once
HOME_SHARE, ACCOUNT_SHARE = 0.05, 0.55  # the rest, 0.40, is cash
ENDED_SHARE, SUSPENDED_SHARE = 0.025, 0.01
EARLIER_CASH_SHARE = 0.5  # account choices that replaced a cash one


class SyntheticError(Exception):
    """The generator refused; ``message`` is for the person who ran it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Names ------------------------------------------------------------------------

_W = tuple[tuple[str, float], ...]

# Family names, weighted roughly as in the north-central provinces (Trịnh and
# Lê are common in Thanh Hóa; Huỳnh and Võ are southern and left out).
FAMILY_NAMES: _W = (
    ("Nguyễn", 34), ("Lê", 11), ("Trần", 10), ("Phạm", 7), ("Hoàng", 4.5),
    ("Vũ", 3.5), ("Trịnh", 3.5), ("Đỗ", 3), ("Bùi", 3), ("Đặng", 2.5),
    ("Ngô", 2), ("Mai", 2), ("Phan", 2), ("Hà", 1.2), ("Đinh", 1.2),
    ("Dương", 1), ("Lương", 0.8), ("Cao", 0.8), ("Đào", 0.8), ("Hồ", 0.7),
    ("Tạ", 0.4), ("Lại", 0.4), ("Lưu", 0.4), ("Tống", 0.3), ("Quách", 0.3),
    ("Thiều", 0.2), ("Chu", 0.3),
)  # fmt: skip
_MIDDLE_MALE_OLD: _W = (
    ("Văn", 70), ("Đình", 8), ("Xuân", 5), ("Hữu", 5), ("Đức", 4), ("Bá", 3),
    ("Công", 3), ("Ngọc", 2), ("Quang", 2), ("Trọng", 2), ("Thế", 2), ("Sỹ", 1),
)  # fmt: skip
_MIDDLE_MALE_YOUNG: _W = (
    ("Văn", 30), ("Minh", 10), ("Đức", 8), ("Quang", 7), ("Đình", 6), ("Xuân", 5),
    ("Hữu", 5), ("Công", 5), ("Thành", 5), ("Duy", 5), ("Ngọc", 4), ("Tiến", 4),
    ("Mạnh", 4), ("Gia", 4), ("Trung", 3), ("Hoàng", 3), ("Bảo", 3),
)  # fmt: skip
_MIDDLE_FEMALE_OLD: _W = (
    ("Thị", 88), ("Ngọc", 3), ("Thu", 2), ("Hồng", 2), ("Kim", 2), ("Thanh", 2), ("Bích", 1),
)  # fmt: skip
_MIDDLE_FEMALE_YOUNG: _W = (
    ("Thị", 40), ("Ngọc", 8), ("Thu", 6), ("Thanh", 6), ("Minh", 5), ("Hồng", 5),
    ("Phương", 5), ("Thùy", 5), ("Khánh", 4), ("Bảo", 4), ("Hà", 3), ("Mai", 3),
    ("Diệu", 2), ("Kim", 2),
)  # fmt: skip
_GIVEN_MALE_OLD = (
    "Hùng", "Dũng", "Thắng", "Lợi", "Sơn", "Hải", "Bình", "Hòa", "Thành", "Công",
    "Chiến", "Tý", "Sửu", "Dần", "Thìn", "Ngọ", "Thân", "Dậu", "Tuất", "Hợi",
    "Lâm", "Tâm", "Toàn", "Vinh", "Quý", "Phúc", "Lộc", "Thọ", "Khang", "Nghĩa",
    "Trung", "Hiếu", "Xuân", "Đông", "Minh", "Đức", "Tiến", "Cường", "Kiên",
    "Luận", "Lực", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Thủy",
)  # fmt: skip
_GIVEN_MALE_YOUNG = (
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Nam", "Sơn", "Thắng", "Long", "Cường",
    "Hưng", "Phong", "Tùng", "Trung", "Quang", "Huy", "Hiếu", "Đạt", "Khánh", "Duy",
    "Hoàng", "Quân", "Việt", "Anh", "Khôi", "Phúc", "Bảo", "An", "Khang", "Kiên",
    "Lâm", "Thành", "Vinh", "Tiến", "Đức", "Mạnh", "Tâm", "Nghĩa", "Hòa",
)  # fmt: skip
_GIVEN_FEMALE_OLD = (
    "Lan", "Hoa", "Hương", "Hằng", "Hạnh", "Huệ", "Mai", "Nga", "Nhung", "Oanh",
    "Phượng", "Thủy", "Thúy", "Tuyết", "Yến", "Xuân", "Liên", "Loan", "Hà", "Hiền",
    "Hồng", "Dung", "Đào", "Lụa", "Nụ", "Sen", "Thơm", "Vân", "Tý", "Chắt", "Gái",
    "Nhàn", "Ngân", "Thìn", "Hòa", "Tươi", "Mơ", "Mận", "Cúc", "Lý", "Lành",
)  # fmt: skip
_GIVEN_FEMALE_YOUNG = (
    "Lan", "Hoa", "Hương", "Hằng", "Trang", "Linh", "Ngọc", "Thảo", "Huyền", "Hà",
    "Mai", "Anh", "Chi", "Vy", "My", "Ngân", "Nhung", "Phương", "Thủy", "Yến",
    "Quỳnh", "Giang", "Hạnh", "Hiền", "Dung", "Nga", "Nhi", "Thư", "Vân", "Tâm", "Uyên",
)  # fmt: skip
# Old tone placement, still common on papers: matches the new form only folded.
_OLD_TONE_PLACEMENT = {"Hòa": "Hoà", "Thủy": "Thuỷ", "Thúy": "Thuý"}
_OLD_TONE_SHARE = 0.2
_OLD_NAMES_BEFORE = 1975  # birth year from which the "young" name lists apply

VILLAGE_NAMES = (
    "Thôn Đông", "Thôn Tây", "Thôn Nam", "Thôn Bắc", "Thôn Trung", "Thôn Thượng",
    "Thôn Hạ", "Thôn Tân Lập", "Thôn Đồng Tâm", "Thôn Quyết Thắng", "Thôn Tiến Thành",
    "Thôn Thành Công", "Thôn Bình Minh", "Thôn Hòa Bình", "Thôn Đoàn Kết", "Thôn Phú Thọ",
    "Thôn Yên Bình", "Thôn Cẩm Tú", "Thôn Kim Sơn", "Thôn Ngọc Lâm", "Thôn Trường Sơn",
    "Thôn Thanh Xuân", "Thôn Phúc Lộc", "Thôn Đại Đồng",
)  # fmt: skip


# --- Categories -------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySpec:
    """How common a category is and who is in it.

    ``ages`` are ranges of age at ``as_of`` (one is picked); ``permille`` are
    NCC amounts as thousandths of the base level, one picked per person and
    kept across base-level changes.
    """

    code: str
    weight: float
    ages: tuple[tuple[int, int], ...]
    male_share: float
    permille: tuple[int, ...] = ()
    guardian: bool = False  # represented by a guardian rather than a proxy


NCC_SPECS = (
    CategorySpec("NCC_A", 0.2, ((95, 102),), 0.9, (1850, 2000)),
    CategorySpec("NCC_B", 0.3, ((93, 100),), 0.85, (1650,)),
    CategorySpec("NCC_C", 30, ((55, 98),), 0.35, (1000, 1000, 1000, 1000, 2000)),
    CategorySpec("NCC_D", 0.2, ((95, 104),), 0.0, (3000,)),
    CategorySpec("NCC_DD", 0.1, ((70, 90),), 0.95, (1000,)),
    CategorySpec("NCC_E", 0.1, ((80, 95),), 0.9, (1000,)),
    CategorySpec(
        "NCC_G", 25, ((55, 90),), 0.95, (585, 700, 880, 1100, 1330, 1560, 1800, 2100, 2330)
    ),
    CategorySpec("NCC_H", 10, ((58, 90),), 0.95, (1130, 1400, 1830, 2330)),
    CategorySpec("NCC_I", 15, ((55, 90),), 0.85, (1100, 1830, 2500)),
    CategorySpec("NCC_K", 2, ((68, 95),), 0.85, (500,)),
    CategorySpec("NCC_M", 1, ((85, 100),), 0.5, (350,)),
    CategorySpec("NCC_TN", 14, ((50, 95),), 0.3, (600, 600, 1000)),
    CategorySpec("NCC_KHAC", 2, ((50, 90),), 0.6, (500, 1000)),
)
BTXH_SPECS = (
    CategorySpec("BTXH_K5C", 40, ((80, 100),), 0.35),
    CategorySpec("BTXH_K6_N", 16, ((18, 59),), 0.55),
    CategorySpec("BTXH_K6_DBN", 8, ((18, 59),), 0.55, guardian=True),
    CategorySpec("BTXH_K6_N_TE_NCT", 6, ((2, 15), (60, 90)), 0.5),
    CategorySpec("BTXH_K6_DBN_TE_NCT", 4, ((2, 15), (60, 90)), 0.5, guardian=True),
    CategorySpec("BTXH_K5A_60_80", 4, ((60, 79),), 0.3),
    CategorySpec("BTXH_K5A_80P", 2, ((80, 95),), 0.3),
    CategorySpec("BTXH_K5B", 1, ((75, 79),), 0.35),
    CategorySpec("BTXH_K5D", 0.5, ((65, 90),), 0.3),
    CategorySpec("BTXH_K4", 4, ((20, 50),), 0.08),
    CategorySpec("BTXH_K1_U4", 0.3, ((0, 3),), 0.5, guardian=True),
    CategorySpec("BTXH_K1_4P", 2, ((4, 15),), 0.5, guardian=True),
    CategorySpec("BTXH_K2", 1, ((16, 21),), 0.5),
    CategorySpec("BTXH_K3_U4", 0.1, ((0, 3),), 0.5, guardian=True),
    CategorySpec("BTXH_K3_4_16", 0.3, ((4, 15),), 0.5, guardian=True),
    CategorySpec("BTXH_K7", 0.5, ((0, 2),), 0.5, guardian=True),
    CategorySpec("BTXH_K8", 1.2, ((25, 55),), 0.6),
)
_NCC_CUM = list(accumulate(s.weight for s in NCC_SPECS))
_BTXH_CUM = list(accumulate(s.weight for s in BTXH_SPECS))
_BTXH_BY_CODE = {s.code: s for s in BTXH_SPECS}
# NCC people who are often on BTXH too (elderly relatives, disabled veterans).
_TWO_PROGRAMME_NCC = tuple(s for s in NCC_SPECS if s.code in {"NCC_C", "NCC_G", "NCC_I", "NCC_TN"})

ADULT_AGE = 18

# --- Phones, banks, accounts ------------------------------------------------------

VIETTEL, VINAPHONE, MOBIFONE, VIETNAMOBILE = "viettel", "vinaphone", "mobifone", "vietnamobile"
PHONE_PREFIXES: dict[str, tuple[str, ...]] = {
    VIETTEL: ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"),
    VINAPHONE: ("088", "091", "094", "081", "082", "083", "084", "085"),
    MOBIFONE: ("089", "090", "093", "070", "076", "077", "078", "079"),
    VIETNAMOBILE: ("092", "056", "058"),
}
_NETWORKS = (VIETTEL, VINAPHONE, MOBIFONE, VIETNAMOBILE)
_NETWORK_CUM = list(accumulate((55, 25, 15, 5)))
_NETWORK_OF_PREFIX = {p: net for net, prefixes in PHONE_PREFIXES.items() for p in prefixes}
#: E-wallets opened on a phone number of their own network.
WALLET_OF_NETWORK = {VIETTEL: "ViettelMoney", VINAPHONE: "VNPTMoney"}

#: Banks by ``short_name`` with their weight among bank accounts in a rural
#: commune (Agribank first; LPBank is the post office's partner).
BANK_WEIGHTS: dict[str, float] = {
    "Agribank": 38, "VietinBank": 14, "BIDV": 12, "Vietcombank": 10, "LPBank": 9,
    "MBBank": 3, "Techcombank": 1, "VPBank": 1, "Sacombank": 0.5, "SHB": 0.5,
}  # fmt: skip
# Plausible account number shapes (prefix, total length) per bank; the last six
# digits are always random so that a clash can be re-drawn in place.
_ACCOUNT_SHAPES: dict[str, tuple[tuple[str, int], ...]] = {
    "Agribank": (("3500205", 13), ("3504205", 13), ("3505205", 13), ("3510205", 13)),
    "VietinBank": (("1010", 12), ("1020", 12), ("1080", 12)),
    "Vietcombank": (("0381000", 13), ("1017", 10)),
    "BIDV": (("5010000", 14), ("5011000", 14)),
    "LPBank": (("0201", 12), ("0301", 12)),
}
_DEFAULT_ACCOUNT_SHAPE = (("", 12), ("0", 13))
WALLET_SHARE_SELF, WALLET_SHARE_REPRESENTATIVE = 0.06, 0.15

# Who represents whom: (relationship, gender M/F, birth-year offset range from
# the beneficiary's, shares the beneficiary's family name).
_Relation = tuple[str, str, tuple[int, int], bool]
_RELATIONS_CHILD: tuple[_Relation, ...] = (
    ("Mẹ", "F", (-40, -20), False), ("Bố", "M", (-45, -22), True),
    ("Bà nội", "F", (-70, -45), False), ("Bà ngoại", "F", (-70, -45), False),
    ("Ông nội", "M", (-72, -45), True), ("Chú ruột", "M", (-40, -18), True),
    ("Cô ruột", "F", (-40, -18), True),
)  # fmt: skip
_RELATIONS_ADULT: tuple[_Relation, ...] = (
    ("Mẹ", "F", (-35, -20), False), ("Bố", "M", (-38, -22), True),
    ("Anh trai", "M", (-12, -1), True), ("Chị gái", "F", (-12, -1), True),
    ("Em trai", "M", (1, 12), True), ("Em gái", "F", (1, 12), True),
    ("Vợ", "F", (-2, 6), False), ("Chồng", "M", (-6, 2), False),
)  # fmt: skip
_RELATIONS_ELDER: tuple[_Relation, ...] = (
    ("Con trai", "M", (20, 38), True), ("Con gái", "F", (20, 38), True),
    ("Con dâu", "F", (20, 38), False), ("Con rể", "M", (20, 38), False),
    ("Cháu", "M", (40, 60), True), ("Cháu", "F", (40, 60), True),
    ("Vợ", "F", (-2, 8), False), ("Chồng", "M", (-8, 2), False),
)  # fmt: skip
_ELDER_AGE = 60
_REPRESENTED_SHARE_ELDER = 0.18  # from 80 on
_REPRESENTED_SHARE = 0.07
_GUARDIAN_SHARE = 0.5  # adults in a guardian category who have one


# --- Months -----------------------------------------------------------------------


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- Money ------------------------------------------------------------------------


def coefficient_amount(base: int, coefficient: Decimal) -> int:
    """Base level × coefficient in whole đồng; refuses a result with a fraction.

    Base levels are multiples of 10.000 đ and coefficients have two decimals,
    so the product is exact; a fraction means bad reference data, and money is
    never rounded silently.
    """
    amount = Decimal(base) * coefficient
    if amount != amount.to_integral_value():
        raise SyntheticError(
            _("Mức chuẩn %(base)s × hệ số %(coefficient)s không ra số đồng chẵn.")
            % {"base": base, "coefficient": coefficient}
        )
    return int(amount)


def permille_amount(base: int, permille: int) -> int:
    """An NCC figure: ``permille``/1000 of the base level, to the nearest 1.000 đ."""
    return (base * permille + 500_000) // 1_000_000 * 1000


# --- Reference data ---------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """The reference rows the generator needs, read once per run."""

    provinces: tuple[str, ...]  # other than the home province, sorted
    programmes: dict[str, Programme]
    categories: dict[str, Category]
    banks: tuple[Bank, ...]
    bank_cum: tuple[float, ...]
    wallets: dict[str, Bank]  # network -> e-wallet
    rates: dict[str, tuple[tuple[datetime.date, int], ...]]  # verified, by date

    @classmethod
    def load(cls) -> Reference:
        provinces = sorted(Province.objects.values_list("code", flat=True))
        programmes = {p.code: p for p in Programme.objects.filter(code__in=["NCC", "BTXH"])}
        categories = {c.code: c for c in Category.objects.select_related("programme")}
        by_name = {b.short_name: b for b in Bank.objects.filter(active=True).order_by("bin")}
        banks = tuple(by_name[name] for name in BANK_WEIGHTS if name in by_name)
        missing = [
            code for code in [s.code for s in NCC_SPECS + BTXH_SPECS] if code not in categories
        ]
        if HOME_PROVINCE not in provinces or len(programmes) < 2 or missing or not banks:
            raise SyntheticError(
                _(
                    "Chưa có đủ dữ liệu tham chiếu (tỉnh, chương trình, diện đối tượng, "
                    "ngân hàng). Hãy chạy: python manage.py load_reference_data"
                )
            )
        rates: dict[str, tuple[tuple[datetime.date, int], ...]] = {}
        for code in programmes:
            rows = AllowanceRate.objects.filter(programme__code=code, verified=True).order_by(
                "applies_from"
            )
            rates[code] = tuple((r.applies_from, r.amount) for r in rows)
            if not rates[code]:
                raise SyntheticError(
                    _("Chương trình %(code)s chưa có mức chuẩn đã kiểm chứng.") % {"code": code}
                )
        return cls(
            provinces=tuple(code for code in provinces if code != HOME_PROVINCE),
            programmes=programmes,
            categories=categories,
            banks=banks,
            bank_cum=tuple(accumulate(BANK_WEIGHTS[b.short_name] for b in banks)),
            wallets={
                network: by_name[name]
                for network, name in WALLET_OF_NETWORK.items()
                if name in by_name
            },
            rates=rates,
        )


# --- Unique numbers ---------------------------------------------------------------


class UniquePool:
    """Numbers handed out in this run: CCCDs, phones, (bank, account number).

    Holds only strings (a few MB for 50.000 people) and is never iterated, so
    set ordering cannot leak into the output.
    """

    def __init__(self, seed: int | str) -> None:
        self.personal_ids: set[str] = set()
        self.phones: set[str] = set()
        self.accounts: set[tuple[int, str]] = set()
        # Re-draws after a clash with the database use their own stream.
        self.clash_rng = random.Random(f"{seed}:clash")

    @staticmethod
    def _digits(rng: random.Random, count: int) -> str:
        return f"{rng.randrange(10**count):0{count}d}"

    def personal_id(self, rng: random.Random, prefix: str) -> str:
        """``prefix`` is province (3) + century/gender (1) + year (2)."""
        while True:
            number = prefix + self._digits(rng, 6)
            if number not in self.personal_ids:
                self.personal_ids.add(number)
                return number

    def phone(self, rng: random.Random, network: str) -> str:
        while True:
            number = rng.choice(PHONE_PREFIXES[network]) + self._digits(rng, 7)
            if number not in self.phones:
                self.phones.add(number)
                return number

    def account(self, rng: random.Random, bank: Bank, prefix: str, length: int) -> str:
        while True:
            number = prefix + self._digits(rng, length - len(prefix))
            if (bank.pk, number) not in self.accounts:
                self.accounts.add((bank.pk, number))
                return number

    def redraw_tail(self, value: str, used: Callable[[str], bool]) -> str:
        """Same number with new last six digits, keeping what the prefix means."""
        while True:
            number = value[:-6] + self._digits(self.clash_rng, 6)
            if not used(number):
                return number


# --- Planning ---------------------------------------------------------------------


@dataclass
class CommunePlan:
    """Unsaved, linked instances for one commune, in the order they are written."""

    villages: list[Village] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    beneficiaries: list[Beneficiary] = field(default_factory=list)
    representatives: list[Representative] = field(default_factory=list)
    accounts: list[PaymentAccount] = field(default_factory=list)
    registrations: list[PaymentMethodRegistration] = field(default_factory=list)
    entitlements: list[Entitlement] = field(default_factory=list)


@dataclass
class Counts:
    """Rows written, by kind; ``history`` counts the history rows of all of them."""

    communes: int = 0
    villages: int = 0
    people: int = 0
    beneficiaries: int = 0
    representatives: int = 0
    accounts: int = 0
    registrations: int = 0
    entitlements: int = 0
    history: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def rows(self) -> int:
        """Every row written, history included."""
        return sum(getattr(self, f.name) for f in fields(self))


class _Weighted:
    """A weighted list, its cumulative weights computed once."""

    def __init__(self, pairs: _W) -> None:
        self.values = [value for value, _weight in pairs]
        self.cum = list(accumulate(weight for _value, weight in pairs))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]


_FAMILY = _Weighted(FAMILY_NAMES)
_MIDDLE = {
    (True, True): _Weighted(_MIDDLE_MALE_OLD),
    (True, False): _Weighted(_MIDDLE_MALE_YOUNG),
    (False, True): _Weighted(_MIDDLE_FEMALE_OLD),
    (False, False): _Weighted(_MIDDLE_FEMALE_YOUNG),
}
_SECOND_MIDDLE_FEMALE = _Weighted(_MIDDLE_FEMALE_YOUNG[1:])  # after "Thị"
_GIVEN = {
    (True, True): _GIVEN_MALE_OLD,
    (True, False): _GIVEN_MALE_YOUNG,
    (False, True): _GIVEN_FEMALE_OLD,
    (False, False): _GIVEN_FEMALE_YOUNG,
}


class _Planner:
    """Draws one commune. Every random value comes from ``self.rng``, in order."""

    def __init__(
        self,
        commune: Commune,
        villages: Sequence[Village],
        *,
        rng: random.Random,
        ref: Reference,
        pool: UniquePool,
        as_of: datetime.date,
    ) -> None:
        self.commune = commune
        self.villages = list(villages)
        self.village_cum = list(accumulate(rng.uniform(0.6, 1.4) for _v in self.villages))
        self.rng = rng
        self.ref = ref
        self.pool = pool
        self.as_of = as_of
        self.as_of_month = _first_of_month(as_of)
        self.plan = CommunePlan(villages=[v for v in self.villages if v.pk is None])
        self.form_seq = 0
        self.accounts_by_person: dict[int, PaymentAccount] = {}  # id(person) -> account

    # People ---------------------------------------------------------------------

    def name(self, male: bool, birth_year: int, family: str | None = None) -> str:
        rng = self.rng
        old = birth_year < _OLD_NAMES_BEFORE
        family = family or _FAMILY.pick(rng)
        middle = _MIDDLE[male, old].pick(rng)
        given = rng.choice(_GIVEN[male, old])
        if middle == "Thị" and not old and rng.random() < 0.2:
            # "Nguyễn Thị Thu Hương": four words are common among younger women.
            middle = f"Thị {_SECOND_MIDDLE_FEMALE.pick(rng)}"
        if given in _OLD_TONE_PLACEMENT and rng.random() < _OLD_TONE_SHARE:
            given = _OLD_TONE_PLACEMENT[given]
        return f"{family} {middle} {given}"

    def birth(self, age: int, *, year_only_share: float) -> tuple[datetime.date | None, int]:
        rng = self.rng
        year = self.as_of.year - age
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        if day >= self.as_of:  # a baby born "later this year"
            day = self.as_of - datetime.timedelta(days=1 + rng.randrange(20))
        if rng.random() < year_only_share:
            return None, day.year
        return day, day.year

    def personal_id(self, birth_year: int, male: bool) -> str:
        rng = self.rng
        province = HOME_PROVINCE if rng.random() < 0.92 else rng.choice(self.ref.provinces)
        century = (birth_year - 1900) // 100 * 2 + (0 if male else 1)
        return self.pool.personal_id(rng, f"{province}{century}{birth_year % 100:02d}")

    def phone(self, network: str | None = None) -> str:
        rng = self.rng
        if network is None:
            network = rng.choices(_NETWORKS, cum_weights=_NETWORK_CUM)[0]
        return self.pool.phone(rng, network)

    def village(self) -> Village:
        return self.rng.choices(self.villages, cum_weights=self.village_cum)[0]

    def person(
        self,
        *,
        full_name: str,
        male: bool,
        birth_date: datetime.date | None,
        birth_year: int,
        village: Village,
        phone_share: float,
    ) -> Person:
        rng = self.rng
        person = Person(
            full_name=full_name,
            birth_date=birth_date,
            birth_year=birth_year,
            gender=Person.Gender.MALE if male else Person.Gender.FEMALE,
            personal_id=self.personal_id(birth_year, male),
            phone=self.phone() if rng.random() < phone_share else "",
            commune=self.commune,
            village=village,
            address=f"Xóm {rng.randint(1, 9)}, {village.name}",
        )
        person.normalize_fields()
        self.plan.people.append(person)
        return person

    # Enrolments -----------------------------------------------------------------

    def start_month(self, programme: str, person: Person, min_age: int) -> datetime.date:
        """A month after the person became eligible (reached ``min_age``), up to ``as_of``."""
        # Only the year known: count from its last day, never before the birth.
        born = person.birth_date or datetime.date(person.birth_year, 12, 31)
        earliest = max(_EARLIEST_START[programme], _add_years(born, min_age))
        low = min(_month_index(earliest) + 1, _month_index(self.as_of_month))
        return _month(self.rng.randint(low, _month_index(self.as_of_month)))

    def decision(self, programme: str, start: datetime.date) -> tuple[str, datetime.date]:
        # NCC decisions came from the provincial labour department, BTXH ones
        # from the district chairman (before the 2025 reforms).
        issuer = "QĐ-SLĐTBXH" if programme == "NCC" else "QĐ-UBND"
        number = f"{self.rng.randint(12, 2900)}/{issuer}"
        return number, start - datetime.timedelta(days=self.rng.randint(5, 60))

    def enrol(self, person: Person, spec: CategorySpec, min_age: int) -> Beneficiary:
        category = self.ref.categories[spec.code]
        programme_code = category.programme.code
        start = self.start_month(programme_code, person, min_age)
        number, decided = self.decision(programme_code, start)
        beneficiary = Beneficiary(
            person=person,
            commune=self.commune,
            programme=category.programme,
            category=category,
            decision_number=number,
            decision_date=decided,
            start_month=start,
        )
        self.plan.beneficiaries.append(beneficiary)
        return beneficiary

    def representative(
        self, person: Person, guardian: bool, since: datetime.date
    ) -> Representative:
        """A relative who receives for ``person``, authorised before ``since``."""
        rng = self.rng
        age = self.as_of.year - person.birth_year
        if age < ADULT_AGE:
            choices, guardian = _RELATIONS_CHILD, True
        elif age < _ELDER_AGE:
            choices = _RELATIONS_ADULT
        else:
            choices = _RELATIONS_ELDER
        male = person.gender == Person.Gender.MALE
        # A wife represents a man, a husband a woman.
        fitting = [r for r in choices if r[0] not in ("Vợ", "Chồng") or (r[0] == "Vợ") == male]
        relationship, gender, (low, high), same_family = rng.choice(fitting)
        year = person.birth_year + rng.randint(low, high)
        year = max(1930, min(year, self.as_of.year - ADULT_AGE - rng.randint(0, 10)))
        family = person.full_name.split(" ")[0] if same_family else None
        birth_date, birth_year = self.birth(self.as_of.year - year, year_only_share=0.0)
        full_name = self.name(gender == "M", birth_year, family)
        while full_name == person.full_name:  # a son named after his father reads as a typo
            full_name = self.name(gender == "M", birth_year, family)
        rep_person = self.person(
            full_name=full_name,
            male=gender == "M",
            birth_date=birth_date,
            birth_year=birth_year,
            village=person.village if rng.random() < 0.9 else self.village(),
            phone_share=0.9,
        )
        self.form_seq += 1
        kind = Representative.Kind.GUARDIAN if guardian else Representative.Kind.PROXY
        valid_from = max(since, COLLECTION_START) - datetime.timedelta(days=rng.randint(5, 120))
        document = (
            f"Trích lục đăng ký giám hộ số {self.form_seq}/{valid_from.year}"
            if guardian
            else f"Giấy ủy quyền số {self.form_seq}/{valid_from.year}"
        )
        rep = Representative(
            represented=person,
            person=rep_person,
            kind=kind,
            relationship=relationship,
            document=document,
            valid_from=valid_from,
        )
        self.plan.representatives.append(rep)
        return rep

    # Accounts and registrations -------------------------------------------------

    def account(self, holder: Person, wallet_share: float, opened: datetime.date) -> PaymentAccount:
        existing = self.accounts_by_person.get(id(holder))
        if existing is not None:
            return existing
        rng = self.rng
        number = ""
        bank: Bank | None = None
        if rng.random() < wallet_share and self.ref.wallets:
            if not holder.phone:
                holder.phone = self.phone(rng.choice(sorted(self.ref.wallets)))
            bank = self.ref.wallets.get(_NETWORK_OF_PREFIX[holder.phone[:3]])
            if bank is not None and (bank.pk, holder.phone) not in self.pool.accounts:
                # An e-wallet's identifier is its holder's phone number.
                number = holder.phone
                self.pool.accounts.add((bank.pk, number))
        if not number:
            bank = rng.choices(self.ref.banks, cum_weights=self.ref.bank_cum)[0]
            prefix, length = rng.choice(
                _ACCOUNT_SHAPES.get(bank.short_name, _DEFAULT_ACCOUNT_SHAPE)
            )
            number = self.pool.account(rng, bank, prefix, length)
        account = PaymentAccount(
            holder=holder,
            bank=bank,
            number=number,
            holder_name=holder.name_folded,
            opened_on=opened,
        )
        self.accounts_by_person[id(holder)] = account
        self.plan.accounts.append(account)
        return account

    def registration(
        self,
        beneficiary: Beneficiary,
        *,
        from_month: datetime.date,
        method: str,
        representative: Representative | None,
        account: PaymentAccount | None,
        current: bool,
    ) -> PaymentMethodRegistration:
        self.form_seq += 1
        registration = PaymentMethodRegistration(
            beneficiary=beneficiary,
            from_month=from_month,
            method=method,
            representative=representative,
            account=account,
            requested_on=from_month - datetime.timedelta(days=self.rng.randint(3, 28)),
            form_reference=f"{self.form_seq}/PĐK",
            is_current=current,
        )
        self.plan.registrations.append(registration)
        return registration

    def register(
        self, beneficiary: Beneficiary, method: str, rep: Representative | None
    ) -> datetime.date:
        """The current registration (and an earlier cash one); returns its month."""
        rng = self.rng
        start = beneficiary.start_month
        collected = max(start, COLLECTION_START)
        if method != PaymentMethodRegistration.Method.ACCOUNT:
            self.registration(
                beneficiary,
                from_month=collected,
                method=method,
                representative=rep if method == PaymentMethodRegistration.Method.CASH else None,
                account=None,
                current=True,
            )
            return collected
        low = _month_index(max(collected, COLLECTION_START.replace(month=9)))
        high = _month_index(self.as_of_month)
        month = _month(rng.randint(min(low, high), high))
        if month > collected and rng.random() < EARLIER_CASH_SHARE:
            self.registration(
                beneficiary,
                from_month=collected,
                method=PaymentMethodRegistration.Method.CASH,
                representative=rep,
                account=None,
                current=False,
            )
        else:
            month = collected
        receiver = rep.person if rep else beneficiary.person
        opened = month - datetime.timedelta(days=rng.randint(5, 40))
        account = self.account(
            receiver, WALLET_SHARE_REPRESENTATIVE if rep else WALLET_SHARE_SELF, opened
        )
        self.registration(
            beneficiary,
            from_month=month,
            method=method,
            representative=rep,
            account=account,
            current=True,
        )
        return month

    # Amounts ----------------------------------------------------------------------

    def entitlements(self, beneficiary: Beneficiary, permille: int) -> None:
        """One row from the start month, then one per verified base-level change.

        A start before the first base level on record begins at that base
        level: the registry keeps no amounts older than its reference data.
        """
        programme = beneficiary.programme.code
        rates = self.ref.rates[programme]
        start, end = beneficiary.start_month, beneficiary.end_month
        in_force = [r for r in rates if r[0] <= start]
        months = [(start, in_force[-1][1])] if in_force else []
        months += [r for r in rates if start < r[0] <= self.as_of_month]
        coefficient = beneficiary.category.coefficient
        for index, (month, base) in enumerate(months):
            if end is not None and month >= end:
                break
            if coefficient is not None:
                basis, amount = Entitlement.Basis.COEFFICIENT, coefficient_amount(base, coefficient)
                decision = beneficiary.decision_number if index == 0 else ""
            else:
                basis, amount = Entitlement.Basis.FIXED, permille_amount(base, permille)
                # An NCC amount is re-decided at each new base level.
                decision = (
                    beneficiary.decision_number
                    if index == 0
                    else f"{self.rng.randint(12, 2900)}/QĐ-SLĐTBXH"
                )
            self.plan.entitlements.append(
                Entitlement(
                    beneficiary=beneficiary,
                    from_month=month,
                    basis=basis,
                    coefficient=coefficient,
                    amount=amount,
                    decision_number=decision,
                )
            )

    # One person -------------------------------------------------------------------

    def beneficiary_person(self, spec: CategorySpec, *, also_btxh: bool = False) -> int:
        """A person enrolled in ``spec`` (and in BTXH too when ``also_btxh``).

        Returns the number of enrolments made.
        """
        rng = self.rng
        low, high = rng.choice(spec.ages)
        age = rng.randint(low, high)
        male = rng.random() < spec.male_share
        ncc = spec.code.startswith("NCC")
        year_only = (0.25 if ncc else 0.12) if age >= 70 else 0.0
        birth_date, birth_year = self.birth(age, year_only_share=year_only)
        if age < ADULT_AGE:
            phone_share = 0.0
        else:
            phone_share = 0.4 if age >= 70 else 0.85
        person = self.person(
            full_name=self.name(male, birth_year),
            male=male,
            birth_date=birth_date,
            birth_year=birth_year,
            village=self.village(),
            phone_share=phone_share,
        )
        enrolments = [(self.enrol(person, spec, low), spec)]
        if also_btxh:
            # An elderly relative or a disabled veteran on social assistance too.
            if age >= 80:
                companion, min_age = _BTXH_BY_CODE["BTXH_K5C"], 80
            elif age >= _ELDER_AGE:
                companion, min_age = _BTXH_BY_CODE["BTXH_K6_N_TE_NCT"], _ELDER_AGE
            else:
                companion, min_age = _BTXH_BY_CODE["BTXH_K6_N"], ADULT_AGE
            enrolments.append((self.enrol(person, companion, min_age), companion))

        guardian = any(s.guardian for _b, s in enrolments)
        share = _REPRESENTED_SHARE_ELDER if age >= 80 else _REPRESENTED_SHARE
        needs = age < ADULT_AGE or (guardian and rng.random() < _GUARDIAN_SHARE)
        rep = None
        if needs or rng.random() < share:
            since = min(b.start_month for b, _s in enrolments)
            rep = self.representative(person, guardian, since)

        draw = rng.random()
        home_share = HOME_SHARE * (3 if age >= 85 or guardian else 1)
        if draw < home_share and rep is None:
            method = PaymentMethodRegistration.Method.HOME
        elif draw < home_share + ACCOUNT_SHARE:
            method = PaymentMethodRegistration.Method.ACCOUNT
        else:
            method = PaymentMethodRegistration.Method.CASH

        for beneficiary, enrolled in enrolments:
            registered = self.register(beneficiary, method, rep)
            if not also_btxh:  # ending one of two enrolments would need two stories
                self.maybe_end(beneficiary, registered)
            permille = rng.choice(enrolled.permille) if enrolled.permille else 0
            self.entitlements(beneficiary, permille)
        return len(enrolments)

    def maybe_end(self, beneficiary: Beneficiary, registered: datetime.date) -> None:
        """End or suspend a few enrolments, after their last registration."""
        rng = self.rng
        draw = rng.random()
        if draw >= ENDED_SHARE + SUSPENDED_SHARE:
            return
        if draw >= ENDED_SHARE:
            beneficiary.status = Beneficiary.Status.SUSPENDED
            beneficiary.note = _("Tạm dừng: không nhận trợ cấp 3 tháng liên tiếp")
            return
        low, high = _month_index(registered) + 1, _month_index(self.as_of_month)
        if low > high:
            return
        end = _month(rng.randint(low, high))
        reason = rng.choices(
            (
                Beneficiary.EndReason.DEATH,
                Beneficiary.EndReason.MOVED,
                Beneficiary.EndReason.INELIGIBLE,
            ),
            weights=(6, 2, 2),
        )[0]
        beneficiary.status = Beneficiary.Status.ENDED
        beneficiary.end_month = end
        beneficiary.end_reason = reason
        if reason == Beneficiary.EndReason.DEATH:
            # The allowance stops from the month after death.
            died = end - datetime.timedelta(days=rng.randint(1, 28))
            person = beneficiary.person
            if person.birth_date is None or died >= person.birth_date:
                person.date_of_death = died

    def run(self, size: int) -> CommunePlan:
        remaining = size
        rng = self.rng
        while remaining > 0:
            if remaining >= 2 and rng.random() < TWO_PROGRAMME_SHARE:
                spec = rng.choice(_TWO_PROGRAMME_NCC)
                remaining -= self.beneficiary_person(spec, also_btxh=True)
            elif rng.random() < NCC_SHARE:
                remaining -= self.beneficiary_person(
                    rng.choices(NCC_SPECS, cum_weights=_NCC_CUM)[0]
                )
            else:
                remaining -= self.beneficiary_person(
                    rng.choices(BTXH_SPECS, cum_weights=_BTXH_CUM)[0]
                )
        return self.plan


def _check_as_of(as_of: datetime.date) -> None:
    if as_of < EARLIEST_AS_OF:
        raise SyntheticError(
            _("Ngày tham chiếu phải từ %(day)s trở đi (sau khi bắt đầu thu thập đăng ký).")
            % {"day": EARLIEST_AS_OF.strftime("%d/%m/%Y")}
        )


def plan_commune(
    commune: Commune,
    *,
    size: int,
    rng: random.Random,
    ref: Reference,
    pool: UniquePool,
    as_of: datetime.date = DEFAULT_AS_OF,
    village_names: Sequence[str] | None = None,
) -> CommunePlan:
    """Draw a commune's villages and ``size`` enrolments, without touching the database.

    Existing villages of the commune are reused; otherwise ``village_names`` (or
    six to twelve plausible names) are created.
    """
    _check_as_of(as_of)
    villages: list[Village] = list(commune.villages.all()) if commune.pk else []
    if not villages:
        names = list(village_names or rng.sample(VILLAGE_NAMES, rng.randint(6, 12)))
        villages = [Village(commune=commune, name=name) for name in names]
    planner = _Planner(commune, villages, rng=rng, ref=ref, pool=pool, as_of=as_of)
    return planner.run(size)


# --- Writing ----------------------------------------------------------------------


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def resolve_clashes(plan: CommunePlan, pool: UniquePool) -> int:
    """Re-draw the CCCDs and account numbers the database already holds.

    One indexed query per 500 numbers; on an empty database nothing moves.
    """
    moved = 0
    ids = [p.personal_id for p in plan.people if p.personal_id]
    taken: set[str] = set()
    for chunk in _chunks(ids):
        taken.update(
            Person.objects.filter(personal_id__in=chunk).values_list("personal_id", flat=True)
        )
    for person in plan.people:
        if person.personal_id in taken:
            person.personal_id = pool.redraw_tail(
                person.personal_id, lambda n: n in pool.personal_ids or n in taken
            )
            pool.personal_ids.add(person.personal_id)
            moved += 1

    numbers = [a.number for a in plan.accounts]
    held: set[tuple[int, str]] = set()
    for chunk in _chunks(numbers):
        held.update(
            PaymentAccount.objects.filter(number__in=chunk).values_list("bank_id", "number")
        )
    for account in plan.accounts:
        if (account.bank.pk, account.number) not in held:
            continue
        bank_id, old = account.bank.pk, account.number
        account.number = pool.redraw_tail(
            old, lambda n, b=bank_id: (b, n) in pool.accounts or (b, n) in held
        )
        pool.accounts.add((bank_id, account.number))
        if account.holder.phone == old:  # an e-wallet follows its phone number
            account.holder.phone = account.number
        moved += 1
    return moved


def write_plan(plan: CommunePlan, *, stamp: HistoryStamp, use_copy: bool | None = None) -> Counts:
    """Insert a plan, parents first, each table with one history row per row.

    ``use_copy`` defaults to COPY on PostgreSQL and ``bulk_create_with_history``
    elsewhere; both give the same rows (a test holds them to it).
    """
    counts = Counts()
    steps: tuple[tuple[str, type[models.Model], list], ...] = (
        ("villages", Village, plan.villages),
        ("people", Person, plan.people),
        ("beneficiaries", Beneficiary, plan.beneficiaries),
        ("representatives", Representative, plan.representatives),
        ("accounts", PaymentAccount, plan.accounts),
        ("registrations", PaymentMethodRegistration, plan.registrations),
        ("entitlements", Entitlement, plan.entitlements),
    )
    for name, model, objs in steps:
        if not objs:
            continue
        bulk_insert_with_history(objs, model, stamp=stamp, use_copy=use_copy, batch_size=BATCH_SIZE)
        setattr(counts, name, len(objs))
        counts.history += len(objs)
    return counts


def commune_random(seed: int | str, code: str) -> random.Random:
    """The commune's own stream: commune 07 is the same whether 5 or 50 are made."""
    return random.Random(f"{seed}:{code}")


def populate_commune(
    commune: Commune,
    *,
    size: int,
    seed: int | str,
    ref: Reference,
    pool: UniquePool,
    stamp: HistoryStamp,
    as_of: datetime.date = DEFAULT_AS_OF,
    village_names: Sequence[str] | None = None,
) -> Counts:
    """Plan and write one commune (the caller holds the transaction)."""
    rng = commune_random(seed, commune.code)
    plan = plan_commune(
        commune,
        size=size,
        rng=rng,
        ref=ref,
        pool=pool,
        as_of=as_of,
        village_names=village_names,
    )
    resolve_clashes(plan, pool)
    return write_plan(plan, stamp=stamp)


# --- Synthetic communes -----------------------------------------------------------


def synthetic_commune_code(number: int) -> str:
    return f"{SYNTHETIC_CODE_BASE + number:05d}"


def synthetic_commune_fields(number: int) -> dict[str, str]:
    label = f"Mẫu {number:02d}"
    return {
        "name": f"Xã {label}",
        "district_name": "Huyện Mẫu",
        "province_name": "Thanh Hóa",
        "issuing_body": f"ỦY BAN NHÂN DÂN XÃ {label.upper()}",
        "place_name": label,
    }


def _commune_data_filter(communes: Sequence[Commune]) -> dict[type[models.Model], Q]:
    """Each table's rows that belong to these communes, children first."""
    return {
        Entitlement: Q(beneficiary__commune__in=communes),
        PaymentMethodRegistration: Q(beneficiary__commune__in=communes),
        PaymentAccount: Q(holder__commune__in=communes),
        Representative: Q(represented__commune__in=communes) | Q(person__commune__in=communes),
        Beneficiary: Q(commune__in=communes),
        Person: Q(commune__in=communes),
        Village: Q(commune__in=communes),
    }


def communes_with_data(communes: Sequence[Commune]) -> list[Commune]:
    return [
        c
        for c in communes
        if Village.objects.filter(commune=c).exists() or Person.objects.filter(commune=c).exists()
    ]


def purge_communes(communes: Sequence[Commune]) -> int:
    """Delete everything these communes hold, and its history, in bulk.

    Only for synthetic communes: the rows were never real, so neither their
    history nor a deletion record is kept. Deleting through the ORM one row
    at a time (with a history row each) would take minutes for 50.000
    people. Rows of other tables that still point here (payment cycles made
    during a benchmark, say) stop the purge with a message, not silently.
    """
    if not communes:
        return 0
    deleted = 0
    filters = _commune_data_filter(communes)
    for model, condition in filters.items():
        live = model._default_manager.filter(condition)
        history = get_history_model_for_model(model)
        qs = history.objects.filter(id__in=live.values("pk"))
        deleted += qs._raw_delete(qs.db)  # no signals on history rows to honour
    for model, condition in filters.items():
        qs = model._default_manager.filter(condition)
        # _raw_delete: one DELETE per table without loading rows or firing the
        # per-row history signal; integrity is checked right below.
        deleted += qs._raw_delete(qs.db)
    try:
        connection.check_constraints()
    except IntegrityError as exc:
        raise SyntheticError(
            _(
                "Không xóa được dữ liệu của các xã mẫu: còn dữ liệu khác (ví dụ kỳ chi trả) "
                "tham chiếu tới họ. Hãy xóa dữ liệu đó trước. Chi tiết: %(error)s"
            )
            % {"error": exc}
        ) from exc
    return deleted


@dataclass
class SyntheticResult:
    communes: list[Commune]
    counts: Counts
    purged: int = 0


def generate_synthetic(
    *,
    communes: int,
    beneficiaries: int,
    seed: int,
    replace: bool = False,
    as_of: datetime.date = DEFAULT_AS_OF,
    actor=None,
    progress: Callable[[int, int], None] | None = None,
) -> SyntheticResult:
    """Create ``communes`` synthetic communes holding ``beneficiaries`` enrolments in all.

    Communes are ``90001``, ``90002``, … ("Xã Mẫu 01", …). Refuses when one of
    them already holds data, unless ``replace``. All or nothing: one
    transaction.
    """
    if not 1 <= communes <= MAX_SYNTHETIC_COMMUNES:
        raise SyntheticError(_("Số xã phải từ 1 đến %(max)d.") % {"max": MAX_SYNTHETIC_COMMUNES})
    if beneficiaries < 0:
        raise SyntheticError(_("Số đối tượng không được âm."))
    _check_as_of(as_of)
    ref = Reference.load()
    pool = UniquePool(seed)
    stamp = HistoryStamp(
        user=actor,
        date=timezone.now(),
        reason=_("Dữ liệu tổng hợp (seed %(seed)s)") % {"seed": seed},
    )
    per_commune, extra = divmod(beneficiaries, communes)
    numbers = range(1, communes + 1)
    with transaction.atomic():
        existing = list(
            Commune.objects.filter(code__in=[synthetic_commune_code(n) for n in numbers])
        )
        occupied = communes_with_data(existing)
        if occupied and not replace:
            raise SyntheticError(
                _(
                    "Các xã mẫu sau đã có dữ liệu: %(codes)s. Thêm --replace để xóa dữ liệu "
                    "mẫu cũ của các xã này và tạo lại."
                )
                % {"codes": ", ".join(c.code for c in occupied)}
            )
        purged = purge_communes(occupied)
        by_code = {c.code: c for c in existing}
        total = Counts()
        created: list[Commune] = []
        for index, number in enumerate(numbers):
            code = synthetic_commune_code(number)
            commune = by_code.get(code)
            if commune is None:
                commune = Commune.objects.create(code=code, **synthetic_commune_fields(number))
                total.communes += 1
                total.history += 1
            created.append(commune)
            size = per_commune + (1 if index < extra else 0)
            total.add(
                populate_commune(
                    commune, size=size, seed=seed, ref=ref, pool=pool, stamp=stamp, as_of=as_of
                )
            )
            if progress is not None:
                progress(index + 1, communes)
    refresh_statistics()
    return SyntheticResult(communes=created, counts=total, purged=purged)


def refresh_statistics() -> None:
    """ANALYZE after a bulk load (PostgreSQL): the planner would otherwise plan the
    next queries for the empty tables autovacuum last saw."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
