"""What changed on a registration list since the last one that was sent.

Each built list stores a compact snapshot of its rows — gzipped, tab-separated,
in the list's own order (given name, person, enrolment) — next to the file.
The next build streams the previous snapshot alongside its own rows and
merges the two in one pass, so neither list is ever held in memory: only the
changes are (added, removed, account changed), which are few in a normal
month.

The merge needs both sides in the same order; the database sorts the names
byte-wise (``COLLATE "C"`` on PostgreSQL, SQLite's default), which is Python's
order for strings. A person whose sort key changed (a corrected name) shows
up once as removed and once as added with the same enrolment: those pairs are
folded back into one row, reported only when the account changed.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

ADDED = "added"
REMOVED = "removed"
ACCOUNT_CHANGED = "account_changed"
CHANGE_ORDER = (ADDED, REMOVED, ACCOUNT_CHANGED)
SNAPSHOT_HEADER = "chitra-registration-list-snapshot-v1"


@dataclass(frozen=True)
class Entry:
    """One row of a list, as much as the changes sheet needs."""

    sort_name: str
    person_id: int
    beneficiary_id: int
    full_name: str
    personal_id: str
    receiver: str  # the representative's name on a representatives' list, else ""
    bank: str
    account: str

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.sort_name, self.person_id, self.beneficiary_id)

    @property
    def payee(self) -> tuple[str, str, str]:
        return (self.receiver, self.bank, self.account)


@dataclass(frozen=True)
class Change:
    kind: str
    before: Entry | None
    after: Entry | None

    @property
    def entry(self) -> Entry:
        return self.after or self.before  # type: ignore[return-value]


class SnapshotWriter:
    """Writes entries to a gzipped tab-separated stream (in the order given)."""

    def __init__(self, target: IO[bytes]) -> None:
        # mtime=0: the same rows give the same bytes.
        self._gzip = gzip.GzipFile(fileobj=target, mode="wb", mtime=0)
        self._text = io.TextIOWrapper(self._gzip, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text, delimiter="\t", lineterminator="\n")
        self._csv.writerow([SNAPSHOT_HEADER])

    def write(self, entry: Entry) -> None:
        self._csv.writerow(
            [
                entry.sort_name,
                entry.person_id,
                entry.beneficiary_id,
                entry.full_name,
                entry.personal_id,
                entry.receiver,
                entry.bank,
                entry.account,
            ]
        )

    def close(self) -> None:
        self._text.flush()
        self._text.detach()
        self._gzip.close()


def read_snapshot(source: IO[bytes]) -> Iterator[Entry]:
    """The entries of a snapshot, streamed."""
    with gzip.GzipFile(fileobj=source, mode="rb") as unzipped:
        text = io.TextIOWrapper(unzipped, encoding="utf-8", newline="")
        reader = csv.reader(text, delimiter="\t")
        header = next(reader, None)
        if header != [SNAPSHOT_HEADER]:
            raise ValueError("not a registration list snapshot")
        for sort_name, person, beneficiary, name, pid, receiver, bank, account in reader:
            yield Entry(
                sort_name, int(person), int(beneficiary), name, pid, receiver, bank, account
            )


class ChangeTracker:
    """Merges the current rows (fed one by one, in order) with the previous list."""

    def __init__(self, previous: Iterable[Entry] | None) -> None:
        self.has_previous = previous is not None
        self._previous = iter(previous or ())
        self._head = next(self._previous, None)
        self._last_key: tuple | None = None
        self._added: list[Entry] = []
        self._removed: list[Entry] = []
        self._changed: list[Change] = []

    def _advance(self) -> None:
        self._head = next(self._previous, None)

    def see(self, entry: Entry) -> None:
        key = entry.key
        if self._last_key is not None and key <= self._last_key:
            raise ValueError(f"list rows out of order at {key!r}")
        self._last_key = key
        while self._head is not None and self._head.key < key:
            self._removed.append(self._head)
            self._advance()
        if self._head is not None and self._head.key == key:
            if self._head.payee != entry.payee:
                self._changed.append(Change(ACCOUNT_CHANGED, self._head, entry))
            self._advance()
        elif self.has_previous:
            self._added.append(entry)

    def finish(self) -> list[Change]:
        """The changes, grouped (added, removed, account changed), each in list order."""
        while self._head is not None:
            self._removed.append(self._head)
            self._advance()
        removed_by_enrolment = {e.beneficiary_id: e for e in self._removed}
        added: list[Change] = []
        changed = list(self._changed)
        for entry in self._added:
            before = removed_by_enrolment.pop(entry.beneficiary_id, None)
            if before is None:
                added.append(Change(ADDED, None, entry))
            elif before.payee != entry.payee:  # renamed and re-registered
                changed.append(Change(ACCOUNT_CHANGED, before, entry))
        removed = [
            Change(REMOVED, e, None)
            for e in self._removed
            if e.beneficiary_id in removed_by_enrolment
        ]
        changed.sort(key=lambda c: c.entry.key)
        return [*added, *removed, *changed]
