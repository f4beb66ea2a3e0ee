"""The benchmark database: PostgreSQL, created fresh for every case.

The server comes from ``BENCH_DATABASE_URL``, else ``DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/chitra_bench``. The benchmarks drop and
re-create their database, so its name always ends in ``bench``: a URL naming
``chitra`` is used as ``chitra_bench``, never ``chitra`` itself.

A template database (``<name>_template``) is migrated once per ``make bench``;
each case then starts from ``CREATE DATABASE … TEMPLATE …``, which takes a
second where migrating takes many.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chitra_bench"


class BenchDatabaseError(Exception):
    pass


@dataclass(frozen=True)
class BenchDatabase:
    url: str  # what the measured processes get as DATABASE_URL

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    @property
    def template(self) -> str:
        return f"{self.name}_template"

    def url_for(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    @contextmanager
    def _admin(self) -> Iterator:
        """A cursor on the server's maintenance database, outside any transaction."""
        connection = psycopg2.connect(self.url_for("postgres"))
        connection.autocommit = True  # CREATE/DROP DATABASE refuse a transaction
        try:
            with connection.cursor() as cursor:
                yield cursor
        finally:
            connection.close()

    def server_version(self) -> str:
        with self._admin() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"

    def drop(self, name: str) -> None:
        with self._admin() as cursor:
            # FORCE (PostgreSQL 13+) ends sessions a crashed run left behind.
            force = cursor.connection.server_version >= 130000
            statement = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            cursor.execute(statement + sql.SQL(" WITH (FORCE)") if force else statement)

    def recreate(self, name: str, *, template: str | None = None) -> None:
        self.drop(name)
        with self._admin() as cursor:
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            cursor.execute(create)


def bench_database() -> BenchDatabase:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise BenchDatabaseError(
            f"Benchmarks run on PostgreSQL; got {parts.scheme or url!r}. "
            "Set BENCH_DATABASE_URL=postgres://user@host:5432/chitra_bench."
        )
    name = parts.path.lstrip("/") or "chitra"
    if not name.endswith("bench"):
        name = f"{name}_bench"
    database = BenchDatabase(urlunsplit(parts._replace(path=f"/{name}")))
    try:
        database.server_version()
    except psycopg2.OperationalError as exc:
        raise BenchDatabaseError(
            f"Cannot reach PostgreSQL at {parts.hostname}: {exc}".strip()
        ) from exc
    return database
