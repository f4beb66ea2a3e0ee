"""Database session helpers shared by the streamed exports."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection


@contextlib.contextmanager
def whole_results_planned() -> Iterator[None]:
    """Plan the streamed (server-side cursor) queries for reading every row.

    PostgreSQL plans a cursor for the first 10 % of its rows
    (``cursor_tuple_fraction``); with the lists' correlated filters estimated
    at one row it then picks a nested loop over a sequential scan of the people
    — quadratic: the monthly report took 658 s instead of 21 s for 100,000
    beneficiaries. An export reads every row, so it says so, for its own
    session only, and puts the setting back (not in a transaction: the
    progress it writes must be seen while it runs).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")
