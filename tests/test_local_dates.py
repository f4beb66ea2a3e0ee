"""A moment is shown and compared on the local calendar: 01:29 on 07/12 in Hà Nội is 07/12.

The moment is stored in UTC (18:29 on 06/12), so a UTC date would read one day early.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.template import Context, Template
from django.utils import timezone

from beneficiaries.models import IdentityCheck
from beneficiaries.models.imports import ImportBatch
from core.dates import local_day, local_moment
from documents.models import Event
from documents.spreadsheet.cells import cell_date, cell_text
from documents.xlsx import Column, write_csv
from tests.conftest import local_moment as local_clock
from tests.factories import PersonFactory

DAY = datetime.date(2026, 12, 7)


@pytest.fixture
def early(clock) -> datetime.datetime:
    """01:29 on 07/12/2026 in Hà Nội, as ``timezone.now()`` returns it (UTC, 06/12)."""
    clock.move_to(local_clock(DAY, 1) + datetime.timedelta(minutes=29))
    now = timezone.now()
    assert now.astimezone(datetime.UTC).date() == datetime.date(2026, 12, 6)
    return now


def test_local_day_of_an_aware_moment_is_the_local_date(early):
    assert local_day(early) == DAY
    assert local_moment(early).strftime("%d/%m/%Y %H:%M") == "07/12/2026 01:29"


def test_local_day_leaves_a_date_and_a_naive_moment_alone():
    assert local_day(DAY) == DAY
    assert local_day(datetime.datetime(2026, 12, 6, 23, 0)) == datetime.date(2026, 12, 6)  # noqa: DTZ001 (an Excel cell)


def test_an_identity_check_at_01_29_reads_its_local_day(early):
    person = PersonFactory.build(full_name="Nguyễn Văn An")
    check = IdentityCheck(person=person, result=IdentityCheck.Result.MATCH, checked_at=early)
    assert str(check).endswith("Khớp (07/12/2026)")


def test_an_import_and_an_event_read_their_local_time(early):
    batch = ImportBatch(original_name="ds.xlsx", created_at=early)
    assert str(batch) == "ds.xlsx (07/12/2026 01:29)"
    event = Event(kind=Event.Kind.LIST_SENT, at=early)
    assert str(event) == "Gửi danh sách 07/12/2026 01:29"


def test_the_ddmmyyyy_filter_shows_a_moments_local_day(early):
    rendered = Template("{% load vn %}{{ at|ddmmyyyy }}|{{ day|ddmmyyyy }}").render(
        Context({"at": early, "day": DAY})
    )
    assert rendered == "07/12/2026|07/12/2026"


def test_a_csv_date_column_shows_a_moments_local_day(early):
    out = io.StringIO()
    write_csv(out, [Column("Lúc kiểm tra", kind="date")], [[early]])
    assert out.getvalue().splitlines()[1] == "07/12/2026"


def test_a_cell_holding_an_aware_moment_reads_locally(early):
    assert cell_date(early) == DAY
    assert cell_text(early) == "07/12/2026 01:29"
