"""Reference data shipped with the project (provinces, programmes, categories,
banks, base levels), loaded idempotently.

The CSV files under ``beneficiaries/fixtures/reference/`` are copies of
``shared/domain``; an administrator edits the rows in the admin afterwards.
Loading again updates the shipped fields and never deletes a row, so local
edits to rows the files do not know survive.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from beneficiaries.models import Category, Programme, ProgrammeSetting, Province
from payments.models import AllowanceRate, Bank

REFERENCE_DIR = Path(__file__).resolve().parent / "fixtures" / "reference"


@dataclass
class LoadSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def load_reference_data() -> LoadSummary:
    summary = LoadSummary()
    for row in _rows("provinces.csv"):
        _obj, created = Province.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"]}
        )
        summary.count("province", created)

    programmes: dict[str, Programme] = {}
    for row in _rows("programmes.csv"):
        programme, created = Programme.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "amount_mode": row["amount_mode"],
                "order": int(row["order"]),
                "suspend_after_uncollected": (
                    int(row["suspend_after_uncollected"])
                    if row.get("suspend_after_uncollected")
                    else None
                ),
            },
        )
        programmes[programme.code] = programme
        summary.count("programme", created)

    for row in _rows("programme_settings.csv"):
        _obj, created = ProgrammeSetting.objects.update_or_create(
            programme=programmes[row["programme"]],
            commune=None,
            valid_from=_date(row["valid_from"]),
            defaults={
                "valid_until": _date(row["valid_until"]),
                "receiving_office": row["receiving_office"],
                "deciding_authority": row["deciding_authority"],
                "payment_agency": row["payment_agency"],
                "deadline_day": int(row["deadline_day"]),
            },
        )
        summary.count("programme_setting", created)

    for row in _rows("categories.csv"):
        _obj, created = Category.objects.update_or_create(
            code=row["code"],
            defaults={
                "programme": programmes[row["programme"]],
                "name": row["name"],
                "short_name": row["short_name"],
                "coefficient": Decimal(row["coefficient"]) if row["coefficient"] else None,
                "legal_basis": row["legal_basis"],
                "note": row["note"],
                "age_from": int(row["age_from"]) if row.get("age_from") else None,
                "age_below": int(row["age_below"]) if row.get("age_below") else None,
            },
        )
        summary.count("category", created)

    for row in _rows("banks.csv"):
        _obj, created = Bank.objects.update_or_create(
            bin=row["bin"],
            defaults={
                "code": row["vietqr_code"],
                "short_name": row["short_name"],
                "name": row["name"],
                "kind": row["kind"],
            },
        )
        summary.count("bank", created)

    # Synonyms the import recognises: shipped ones are added to what an
    # administrator may have typed, never replacing it.
    for model, key, name in (
        (Programme, "code", "programme_synonyms.csv"),
        (Bank, "bin", "bank_synonyms.csv"),
    ):
        shipped: dict[str, list[str]] = {}
        for row in _rows(name):
            shipped.setdefault(row[key], []).append(row["synonym"])
        for obj in model.objects.filter(**{f"{key}__in": shipped}):
            current = [s.strip() for s in obj.synonyms.split(";") if s.strip()]
            merged = current + [s for s in shipped[getattr(obj, key)] if s not in current]
            if merged != current:
                obj.synonyms = "; ".join(merged)
                obj.save(update_fields=["synonyms"])

    for row in _rows("base_levels.csv"):
        _obj, created = AllowanceRate.objects.update_or_create(
            programme=programmes[row["programme"]],
            applies_from=_date(row["applies_from"]),
            defaults={
                "amount": int(row["amount"]),
                "legal_basis": row["legal_basis"],
                # Only rows the sources confirm; "UNVERIFIED: …" stays flagged.
                "verified": row["status"].startswith("verified"),
            },
        )
        summary.count("rate", created)
    return summary
