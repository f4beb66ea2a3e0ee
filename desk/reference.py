"""Reference data shipped with the project (provinces, programmes, categories,
banks, base levels), loaded idempotently.

The CSV files under ``desk/fixtures/reference/`` are the tables of
``docs/domain/README.md``; an administrator edits the rows in the admin afterwards.
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
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Bank
from amounts.models import AllowanceRate
from beneficiaries.models import Category, Programme, ProgrammeSetting, Province

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


def _sync(
    model, key: tuple[str, ...], rows: list[dict], summary: LoadSummary, kind: str
) -> dict[tuple, object]:
    """Make the table hold ``rows`` (each a dict of field values, matched on ``key``).

    New rows are inserted in one statement (with their history rows); a row whose
    shipped values differ is saved (one history row); an unchanged row is left as
    it is. Rows not shipped are never deleted: an administrator may have added them.
    """
    related = [name for name in rows[0] if model._meta.get_field(name).is_relation] if rows else []
    existing = {
        tuple(getattr(obj, name) for name in key): obj
        for obj in model.objects.select_related(*related)
    }
    new = []
    for values in rows:
        identity = tuple(values[name] for name in key)
        obj = existing.get(identity)
        if obj is None:
            obj = model(**values)
            new.append(obj)
            existing[identity] = obj
            summary.count(kind, True)
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            summary.count(kind, False)
    if new:
        if hasattr(model, "history"):
            bulk_create_with_history(new, model)
        else:
            model.objects.bulk_create(new)
    return existing


@transaction.atomic
def load_reference_data() -> LoadSummary:
    """Load the shipped tables: idempotent, a few statements per table on a new database."""
    summary = LoadSummary()
    _sync(
        Province,
        ("code",),
        [{"code": row["code"], "name": row["name"]} for row in _rows("provinces.csv")],
        summary,
        "province",
    )
    loaded = _sync(
        Programme,
        ("code",),
        [
            {
                "code": row["code"],
                "name": row["name"],
                "short_name": row["short_name"],
                "amount_mode": row["amount_mode"],
                "order": int(row["order"]),
                "suspend_after_uncollected": (
                    int(row["suspend_after_uncollected"])
                    if row.get("suspend_after_uncollected")
                    else None
                ),
                "starts_from": _date(row.get("starts_from", "")),
            }
            for row in _rows("programmes.csv")
        ],
        summary,
        "programme",
    )
    programmes: dict[str, Programme] = {code: obj for (code,), obj in loaded.items()}

    _sync(
        ProgrammeSetting,
        ("programme", "commune", "valid_from"),
        [
            {
                "programme": programmes[row["programme"]],
                "commune": None,
                "valid_from": _date(row["valid_from"]),
                "valid_until": _date(row["valid_until"]),
                "receiving_office": row["receiving_office"],
                "deciding_authority": row["deciding_authority"],
                "payment_agency": row["payment_agency"],
                "deadline_day": int(row["deadline_day"]),
                "source": row["source"],
            }
            for row in _rows("programme_settings.csv")
        ],
        summary,
        "programme_setting",
    )
    category_rows = _rows("categories.csv")
    loaded_categories = _sync(
        Category,
        ("code",),
        [
            {
                "code": row["code"],
                "programme": programmes[row["programme"]],
                "name": row["name"],
                "short_name": row["short_name"],
                "coefficient": Decimal(row["coefficient"]) if row["coefficient"] else None,
                "legal_basis": row["legal_basis"],
                "note": row["note"],
                "age_from": int(row["age_from"]) if row.get("age_from") else None,
                "age_below": int(row["age_below"]) if row.get("age_below") else None,
                "requires": row.get("requires", ""),
            }
            for row in category_rows
        ],
        summary,
        "category",
    )
    # Exclusions are added, never removed (an administrator may have added more).
    categories = {code: obj for (code,), obj in loaded_categories.items()}
    for row in category_rows:
        wanted = [categories[code] for code in row.get("excludes", "").split(";") if code]
        if wanted:
            categories[row["code"]].excludes.add(*wanted)
    _sync(
        Bank,
        ("bin",),
        [
            {
                "bin": row["bin"],
                "code": row["vietqr_code"],
                "short_name": row["short_name"],
                "name": row["name"],
                "kind": row["kind"],
            }
            for row in _rows("banks.csv")
        ],
        summary,
        "bank",
    )

    # Synonyms the import recognises: shipped ones are added to what an
    # administrator may have typed, never replacing it.
    for model, key, name in (
        (Programme, "code", "programme_synonyms.csv"),
        (Bank, "bin", "bank_synonyms.csv"),
    ):
        shipped: dict[str, list[str]] = {}
        for row in _rows(name):
            shipped.setdefault(row[key], []).append(row["synonym"])
        changed = []
        for obj in model.objects.filter(**{f"{key}__in": shipped}):
            current = [s.strip() for s in obj.synonyms.split(";") if s.strip()]
            merged = current + [s for s in shipped[getattr(obj, key)] if s not in current]
            if merged != current:
                obj.synonyms = "; ".join(merged)
                changed.append(obj)
        if changed:
            # One statement for the rows and one for their history rows.
            bulk_update_with_history(changed, model, ["synonyms"])

    # A level somebody confirmed (the base-level page or command) is theirs now:
    # the shipped row never overwrites it, nor flags it unverified again.
    confirmed = set(
        AllowanceRate.objects.filter(verified_at__isnull=False).values_list(
            "programme__code", "applies_from"
        )
    )
    _sync(
        AllowanceRate,
        ("programme", "applies_from"),
        [
            {
                "programme": programmes[row["programme"]],
                "applies_from": _date(row["applies_from"]),
                "amount": int(row["amount"]),
                "legal_basis": row["legal_basis"],
                # Only rows the sources confirm; "UNVERIFIED: …" stays flagged.
                "verified": row["status"].startswith("verified"),
                "source_note": "" if row["status"].startswith("verified") else row["status"],
            }
            for row in _rows("base_levels.csv")
            if (row["programme"], _date(row["applies_from"])) not in confirmed
        ],
        summary,
        "rate",
    )
    return summary
