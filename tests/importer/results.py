"""Asserting on what the reader returns: the only row, the only error, the warnings."""

from __future__ import annotations

from desk.importer.rows import ImportRow, Issue, ReadResult

FIRST_DATA_ROW = 9  # title rows (1-6), header (7), column numbers (8)


def only_row(result: ReadResult) -> ImportRow:
    assert result.errors == [], result.errors
    assert len(result.rows) == 1
    return result.rows[0]


def only_error(result: ReadResult) -> Issue:
    assert result.rows == []
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def warning_messages(result: ReadResult) -> list[str]:
    return [issue.message for issue in result.warnings]
