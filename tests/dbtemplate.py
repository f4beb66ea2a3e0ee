"""The PostgreSQL test database, migrated once and copied for each test process.

Migrating an empty database takes a while: every migration's state is
rendered, then the post-migrate signals fill the content types, permissions
and the roles' grants. Each of the suite's processes (pytest-xdist) used to do
it. On PostgreSQL the migrated database is kept instead, as a template named
after a fingerprint of what builds it, and each process takes its own copy
(``CREATE DATABASE … TEMPLATE …``, a fraction of a second):

- the fingerprint covers every migration file of every installed app (the
  project's, Django's and the libraries'), the project code that the
  migrations and the post-migrate signal run (:data:`BUILD_SOURCES`), the
  Django version and the installed apps; any change to them builds a new
  template, and the old ones are dropped;
- one process builds it while the others wait on a PostgreSQL advisory lock;
  it is migrated under a temporary name and renamed once complete, so an
  interrupted build is never used;
- ``pytest --create-db`` builds it again, once for the run.

Each process's copy is dropped at the end of the run, as before; only the
template stays on the server for the next run.
"""

from __future__ import annotations

import hashlib
import os
import sys
import zlib
from pathlib import Path

from django.conf import settings
from django.db import connections

BASE_DIR = Path(__file__).resolve().parents[1]

# Project code that shapes the migrated database besides the migration files:
# the operation the model moves run, the roles the post-migrate signal grants.
BUILD_SOURCES = ("core/migration_ops.py", "core/roles.py", "core/signals.py")

# Bumped when the way the template is built changes.
LAYOUT = "1"


def fingerprint() -> str:
    """A digest of everything the migrated test database depends on."""
    import django
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256(f"{LAYOUT}|{django.get_version()}".encode())
    digest.update(repr(list(settings.INSTALLED_APPS)).encode())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    sources = {
        type(migration).__module__: Path(sys.modules[type(migration).__module__].__file__)
        for migration in loader.disk_migrations.values()
    }
    sources.update({name: BASE_DIR / name for name in BUILD_SOURCES})
    for label, path in sorted(sources.items()):
        digest.update(label.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def setup_from_template(
    alias: str, *, rebuild: bool, run: str | None, serialize: bool, verbosity: int
):
    """Give ``alias`` a fresh copy of the migrated template.

    ``rebuild`` builds the template again, once per run: ``run`` (pytest-xdist's
    id of the run, shared by its processes) is written as the template's comment
    and a process of the same run reuses it. Returns what
    :func:`django.test.utils.teardown_databases` takes, so the copy is dropped
    at the end of the run.
    """
    connection = connections[alias]
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    copy = creation._get_test_db_name()
    base = copy
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and base.endswith(f"_{worker}"):
        base = base[: -len(worker) - 1]
    template = f"{base}_tpl_{fingerprint()}"
    lock = zlib.crc32(base.encode())  # an advisory lock's key: one per test database name

    with creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{base}\\_tpl\\_%"]
            )
            existing = {name for (name,) in cursor.fetchall()}
            if rebuild and template in existing and run is not None:
                cursor.execute(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                    " WHERE datname = %s",
                    [template],
                )
                rebuild = cursor.fetchone()[0] != run
            if rebuild or template not in existing:
                for stale in sorted(existing):
                    cursor.execute(f"DROP DATABASE IF EXISTS {_quote(connection, stale)}")
                _build(connection, template, verbosity)
                cursor.execute(
                    f"COMMENT ON DATABASE {_quote(connection, template)} IS %s", [run or ""]
                )
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(connection, copy)}")
            cursor.execute(
                f"CREATE DATABASE {_quote(connection, copy)} TEMPLATE {_quote(connection, template)}"
            )
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])

    connection.close()
    settings.DATABASES[alias]["NAME"] = copy
    connection.settings_dict["NAME"] = copy
    connection.ensure_connection()
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    return [(connection, old_name, True)]


def _build(connection, template: str, verbosity: int) -> None:
    """Migrate a new database under a temporary name, then rename it ``template``."""
    partial = f"{template}_partial"
    name = connection.settings_dict["NAME"]
    test = connection.settings_dict.setdefault("TEST", {})
    test_name = test.get("NAME")
    test["NAME"] = partial
    try:
        connection.creation.create_test_db(
            verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False
        )
    finally:
        connection.close()
        test["NAME"] = test_name
        settings.DATABASES[connection.alias]["NAME"] = name
        connection.settings_dict["NAME"] = name
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(
            f"ALTER DATABASE {_quote(connection, partial)} RENAME TO {_quote(connection, template)}"
        )


def flush_by_delete(connection):
    """Empty the tables after a ``transaction=True`` test with ``DELETE``, not ``TRUNCATE``.

    Django ends such a test by flushing every table; on PostgreSQL a
    ``TRUNCATE`` gives each table, index and TOAST table new files, about a
    second for this schema, where deleting the few rows a test wrote takes
    a few milliseconds. The foreign keys Django creates are deferrable, so the
    rows go in any order within the flush's one transaction. A flush that
    resets sequences or cascades keeps Django's ``TRUNCATE``.
    """
    truncate = connection.ops.sql_flush

    def sql_flush(style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            # Table names from Django's introspection, quoted.
            *(f"DELETE FROM {_quote(connection, table)}" for table in tables),  # noqa: S608
        ]

    return sql_flush
