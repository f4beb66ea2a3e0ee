"""The database's reference rows the generator reads once per run, and the
numbers it hands out that must stay unique across communes."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from django.utils.translation import gettext as _

from accounts.models import Bank
from amounts.models import AllowanceRate
from beneficiaries.models import Category, Programme, Province
from demo.synthetic.base import HOME_PROVINCE, SyntheticError
from demo.synthetic.population import (
    BANK_WEIGHTS,
    BTXH_SPECS,
    NCC_SPECS,
    PHONE_PREFIXES,
    WALLET_OF_NETWORK,
)


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
