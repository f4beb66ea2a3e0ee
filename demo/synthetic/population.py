"""Who lives in a synthetic commune: the categories and their ages, how people
are paid, their phones, banks and account numbers, and who represents whom."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

NCC_SHARE = 0.40  # of enrolments; the rest are BTXH
TWO_PROGRAMME_SHARE = 0.03  # of people: NCC and BTXH at once
HOME_SHARE, ACCOUNT_SHARE = 0.05, 0.55  # the rest, 0.40, is cash
ENDED_SHARE, SUSPENDED_SHARE = 0.025, 0.01
EARLIER_CASH_SHARE = 0.5  # account choices that replaced a cash one


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
NCC_CUM = list(accumulate(s.weight for s in NCC_SPECS))
BTXH_CUM = list(accumulate(s.weight for s in BTXH_SPECS))
BTXH_BY_CODE = {s.code: s for s in BTXH_SPECS}
# NCC people who are often on BTXH too (elderly relatives, disabled veterans).
TWO_PROGRAMME_NCC = tuple(s for s in NCC_SPECS if s.code in {"NCC_C", "NCC_G", "NCC_I", "NCC_TN"})

ADULT_AGE = 18

# --- Phones, banks, accounts ------------------------------------------------------

VIETTEL, VINAPHONE, MOBIFONE, VIETNAMOBILE = "viettel", "vinaphone", "mobifone", "vietnamobile"
PHONE_PREFIXES: dict[str, tuple[str, ...]] = {
    VIETTEL: ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"),
    VINAPHONE: ("088", "091", "094", "081", "082", "083", "084", "085"),
    MOBIFONE: ("089", "090", "093", "070", "076", "077", "078", "079"),
    VIETNAMOBILE: ("092", "056", "058"),
}
NETWORKS = (VIETTEL, VINAPHONE, MOBIFONE, VIETNAMOBILE)
NETWORK_CUM = list(accumulate((55, 25, 15, 5)))
NETWORK_OF_PREFIX = {p: net for net, prefixes in PHONE_PREFIXES.items() for p in prefixes}
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
ACCOUNT_SHAPES: dict[str, tuple[tuple[str, int], ...]] = {
    "Agribank": (("3500205", 13), ("3504205", 13), ("3505205", 13), ("3510205", 13)),
    "VietinBank": (("1010", 12), ("1020", 12), ("1080", 12)),
    "Vietcombank": (("0381000", 13), ("1017", 10)),
    "BIDV": (("5010000", 14), ("5011000", 14)),
    "LPBank": (("0201", 12), ("0301", 12)),
}
DEFAULT_ACCOUNT_SHAPE = (("", 12), ("0", 13))
WALLET_SHARE_SELF, WALLET_SHARE_REPRESENTATIVE = 0.06, 0.15

# Who represents whom: (relationship, gender M/F, birth-year offset range from
# the beneficiary's, shares the beneficiary's family name).
Relation = tuple[str, str, tuple[int, int], bool]
RELATIONS_CHILD: tuple[Relation, ...] = (
    ("Mẹ", "F", (-40, -20), False), ("Bố", "M", (-45, -22), True),
    ("Bà nội", "F", (-70, -45), False), ("Bà ngoại", "F", (-70, -45), False),
    ("Ông nội", "M", (-72, -45), True), ("Chú ruột", "M", (-40, -18), True),
    ("Cô ruột", "F", (-40, -18), True),
)  # fmt: skip
RELATIONS_ADULT: tuple[Relation, ...] = (
    ("Mẹ", "F", (-35, -20), False), ("Bố", "M", (-38, -22), True),
    ("Anh trai", "M", (-12, -1), True), ("Chị gái", "F", (-12, -1), True),
    ("Em trai", "M", (1, 12), True), ("Em gái", "F", (1, 12), True),
    ("Vợ", "F", (-2, 6), False), ("Chồng", "M", (-6, 2), False),
)  # fmt: skip
RELATIONS_ELDER: tuple[Relation, ...] = (
    ("Con trai", "M", (20, 38), True), ("Con gái", "F", (20, 38), True),
    ("Con dâu", "F", (20, 38), False), ("Con rể", "M", (20, 38), False),
    ("Cháu", "M", (40, 60), True), ("Cháu", "F", (40, 60), True),
    ("Vợ", "F", (-2, 8), False), ("Chồng", "M", (-8, 2), False),
)  # fmt: skip
ELDER_AGE = 60
REPRESENTED_SHARE_ELDER = 0.18  # from 80 on
REPRESENTED_SHARE = 0.07
GUARDIAN_SHARE = 0.5  # adults in a guardian category who have one
