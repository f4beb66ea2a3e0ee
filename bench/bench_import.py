"""The registry import, end to end on PostgreSQL: from the .xlsx file to committed rows.

Set-up (not measured): the synthetic generator fills one commune, the
registry exporter writes it as a workbook in the import layout, then the
registry tables are emptied, so the measured import starts from an empty
commune and creates everyone (people, representatives, enrolments,
entitlements, accounts, registrations, and a history row for each).

The baseline is django-import-export's default import of the same people
(a ModelResource matching on the personal ID, dry run off, one row at a time),
on the people columns only: it does strictly less work than ours.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

OPERATION = "import_registry"
SIZES = (10_000, 100_000)
BASELINE_SIZES = (10_000, 100_000)
COMMUNE = "15307"


def _workbook(n: int) -> Path:
    return Path(tempfile.gettempdir()) / f"chitra-bench-import-{n}.xlsx"


def cases(quick: bool) -> list[dict]:
    sizes = SIZES[:1] if quick else SIZES
    ours = [{"size": f"{n:,} rows, ours", "rows": n, "kind": "ours"} for n in sizes]
    baseline = [
        {"size": f"{n:,} rows, django-import-export default", "rows": n, "kind": "baseline"}
        for n in (BASELINE_SIZES[:1] if quick else BASELINE_SIZES)
    ]
    return ours + baseline


def setup(case: dict) -> None:
    from django.db import connection

    from beneficiaries.models import Commune
    from demo.synthetic import generate_synthetic
    from desk.exporter import write_registry

    path = _workbook(case["rows"])
    if not path.exists():
        generate_synthetic(communes=1, beneficiaries=case["rows"], seed=7)
        source = Commune.objects.exclude(code=COMMUNE).get()
        with path.open("wb") as handle:
            write_registry(handle, source, on=datetime.date(2025, 6, 1))
    tables = [
        "registration_paymentmethodregistration",
        "registration_historicalpaymentmethodregistration",
        "amounts_entitlement",
        "amounts_historicalentitlement",
        "accounts_paymentaccount",
        "accounts_historicalpaymentaccount",
        "beneficiaries_representative",
        "beneficiaries_historicalrepresentative",
        "beneficiaries_beneficiary",
        "beneficiaries_historicalbeneficiary",
        "beneficiaries_importbatch",
        "beneficiaries_person",
        "beneficiaries_historicalperson",
        "beneficiaries_village",
        "beneficiaries_historicalvillage",
    ]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
    Commune.objects.exclude(code=COMMUNE).delete()
    Commune.objects.get_or_create(
        code=COMMUNE,
        defaults={
            "name": "Yến Sơn",
            "district_name": "Hà Trung",
            "province_name": "Thanh Hóa",
            "issuing_body": "ỦY BAN NHÂN DÂN XÃ YẾN SƠN",
            "place_name": "Yến Sơn",
        },
    )


def run(case: dict) -> int:
    if case["kind"] == "baseline":
        return _baseline(case)
    from beneficiaries.models import Commune, ImportBatch
    from desk.importer.service import create_batch, run_import

    commune = Commune.objects.get(code=COMMUNE)
    path = _workbook(case["rows"])
    with path.open("rb") as handle:
        batch = create_batch(handle, name=path.name, commune=commune, actor=None)
    batch = run_import(batch, actor=None, commit=True, today=datetime.date(2025, 6, 15))
    if batch.status != ImportBatch.Status.COMMITTED:
        raise RuntimeError(f"import not committed: {batch.status} {batch.issues[:3]}")
    return batch.rows_total


def _baseline(case: dict) -> int:
    import tablib
    from import_export import fields, resources, widgets
    from openpyxl import load_workbook

    from beneficiaries.models import Commune, Person

    commune = Commune.objects.get(code=COMMUNE)

    class PersonResource(resources.ModelResource):
        commune = fields.Field(
            attribute="commune",
            column_name="commune",
            widget=widgets.ForeignKeyWidget(Commune, "code"),
        )

        class Meta:
            model = Person
            import_id_fields = ("personal_id",)
            fields = ("personal_id", "full_name", "birth_year", "gender", "commune")

        def before_save_instance(self, instance, row, **kwargs):
            instance.normalize_fields()

    # Reading the same workbook (timed too: both sides start from the file).
    workbook = load_workbook(_workbook(case["rows"]), read_only=True, data_only=True)
    dataset = tablib.Dataset(
        headers=["personal_id", "full_name", "birth_year", "gender", "commune"]
    )
    seen: set[str] = set()
    for values in workbook.active.iter_rows(min_row=5, values_only=True):
        name, birth, gender, personal_id = values[1], values[2], values[3], values[4]
        if not personal_id or personal_id in seen:
            continue
        seen.add(personal_id)
        year = birth.year if hasattr(birth, "year") else int(birth)
        dataset.append([personal_id, name, year, "M" if gender == "Nam" else "F", commune.code])
    workbook.close()
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    return result.total_rows
