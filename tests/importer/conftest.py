"""Fixtures of the import tests: the shipped reference data without the database.

The reader never queries, so its tests build the :class:`Reference` straight
from the CSV files the project ships (``desk/fixtures/reference``):
fast, and a change to the data shows up here as it will in production.
:func:`test_reference_from_database_equals_the_csv_reference` checks that the
database path gives the same lookups.
"""

from __future__ import annotations

import csv
import datetime
import itertools
from pathlib import Path

import pytest

from desk.importer.reader import read_workbook
from desk.importer.rows import ReadResult, Reference
from desk.reference import REFERENCE_DIR
from tests.importer.workbooks import TODAY, write_workbook


def _csv(name: str) -> list[dict[str, str]]:
    with Path(REFERENCE_DIR, name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reference_from_csv() -> Reference:
    """The reference as ``load_reference_data()`` would put it in the database."""

    def synonyms(name: str, key: str) -> dict[str, str]:
        found: dict[str, list[str]] = {}
        for row in _csv(name):
            found.setdefault(row[key], []).append(row["synonym"])
        return {k: "; ".join(v) for k, v in found.items()}

    programme_synonyms = synonyms("programme_synonyms.csv", "code")
    bank_synonyms = synonyms("bank_synonyms.csv", "bin")
    return Reference.from_rows(
        programmes=[
            {**row, "synonyms": programme_synonyms.get(row["code"], "")}
            for row in _csv("programmes.csv")
        ],
        categories=_csv("categories.csv"),
        banks=[
            {**row, "code": row["vietqr_code"], "synonyms": bank_synonyms.get(row["bin"], "")}
            for row in _csv("banks.csv")
        ],
        provinces=[row["code"] for row in _csv("provinces.csv")],
    )


@pytest.fixture(scope="session")
def reference() -> Reference:
    return reference_from_csv()


@pytest.fixture
def today() -> datetime.date:
    return TODAY


@pytest.fixture
def read_list(tmp_path, reference, today):
    """Write ``rows`` as a realistic one-sheet list and read it back.

    Keyword arguments go to :func:`~tests.importer.workbooks.write_workbook`.
    """
    counter = itertools.count()

    def read(rows, **write_options) -> ReadResult:
        path = tmp_path / f"danh-sach-{next(counter)}.xlsx"
        write_workbook(path, rows, **write_options)
        return read_workbook(path, reference=reference, today=today)

    return read
