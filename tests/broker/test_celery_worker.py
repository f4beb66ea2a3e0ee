"""A real Celery worker, started as a subprocess, runs tasks sent through Redis.

The worker is another process: it must see committed rows (``transaction=True``)
of the *test* database, so these tests need PostgreSQL (SQLite's test database
lives in this process's memory). No result backend is configured: a task's
outcome is read from the rows it writes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from kombu import Connection

from accounts.models import Bank
from amounts.models import AllowanceRate
from beneficiaries.models import Category, Programme, Province
from desk.reference import REFERENCE_DIR
from desk.tasks import load_reference_data_task
from yenson.celery import app

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
TIMEOUT = 60


def _wait_until(predicate: Callable[[], object], what: str, timeout: float = TIMEOUT):
    """Poll ``predicate`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _csv_rows(name: str) -> int:
    with (REFERENCE_DIR / name).open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip()) - 1


def _reference_loaded() -> bool:
    return AllowanceRate.objects.count() == _csv_rows("base_levels.csv")


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def not_eager():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def queue():
    """A queue of this test's own, so no other worker on the broker takes its tasks."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    # The binding keys the workers declared; nothing consumes this queue any more.
    with Connection(settings.CELERY_BROKER_URL) as connection:
        client = getattr(connection.default_channel, "client", None)
        if client is not None:  # Redis; absent when the broker is missing (CI fails then)
            client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")


class Worker:
    def __init__(self, name: str, queue: str, log: Path) -> None:
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DJANGO_SETTINGS_MODULE": "yenson.settings",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    CELERY,
                    "-A",
                    "yenson",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "-Q",
                    queue,
                    "-n",
                    f"{name}-{queue}@%h",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=INFO",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str) -> None:
        _wait_until(
            lambda: text in self.output() or self.process.poll() is not None,
            f"{text!r} in the worker's log",
        )
        assert text in self.output(), self.output()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=TIMEOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(tmp_path, queue, not_eager):
    workers: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(name, queue, tmp_path / f"{name}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def test_a_real_worker_runs_a_task_sent_through_redis(start_worker, queue):
    assert not Province.objects.exists()
    worker = start_worker("worker")

    result = load_reference_data_task.apply_async(queue=queue)

    _wait_until(_reference_loaded, "the worker to load the reference data")
    assert Province.objects.count() == _csv_rows("provinces.csv")
    assert Programme.objects.count() == _csv_rows("programmes.csv")
    assert Category.objects.count() == _csv_rows("categories.csv")
    assert Bank.objects.count() == _csv_rows("banks.csv")
    worker.wait_for_log(f"Task beneficiaries.load_reference_data[{result.id}] succeeded")


@contextlib.contextmanager
def table_locked(table: str, mode: str):
    """Hold a lock on ``table`` from a connection of our own.

    The task's statement that needs the table waits on it: that is a task
    stopped in the middle of its work, without adding a sleep to the task.
    """
    db = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    cursor = connection.cursor()
    cursor.execute(f"LOCK TABLE {table} IN {mode} MODE")

    def waiting_backends() -> list[int]:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table]
        )
        return [pid for (pid,) in cursor.fetchall()]

    def release(terminate: list[int]) -> None:
        for pid in terminate:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        connection.rollback()

    try:
        yield SimpleNamespace(waiting_backends=waiting_backends, release=release)
    finally:
        connection.rollback()
        connection.close()


@pytest.fixture
def province_table_locked():
    with table_locked("beneficiaries_province", "ACCESS EXCLUSIVE") as lock:
        yield lock


def _restore_unacked_messages() -> None:
    """What the Redis transport does once the visibility timeout has passed.

    The default timeout is an hour; here it is taken as passed, so the message
    a dead worker held goes back to its queue now.
    """
    with Connection(settings.CELERY_BROKER_URL, transport_options={"visibility_timeout": 0}) as c:
        c.default_channel.qos.restore_visible()


@pytest.mark.slow
def test_a_task_whose_worker_is_killed_mid_job_is_run_again_by_another_worker(
    start_worker, queue, province_table_locked
):
    first = start_worker("first")
    result = load_reference_data_task.apply_async(queue=queue)
    blocked = _wait_until(
        province_table_locked.waiting_backends, "the task to start and wait on the lock"
    )
    first.wait_for_log(f"Task beneficiaries.load_reference_data[{result.id}] received")

    first.kill()
    # PostgreSQL notices a dead client only when it next writes to it: end its session now.
    province_table_locked.release(terminate=blocked)

    assert first.process.returncode == -signal.SIGKILL
    assert not Province.objects.exists()
    second = start_worker("second")
    _restore_unacked_messages()

    _wait_until(_reference_loaded, "the second worker to run the task again")
    second.wait_for_log(f"Task beneficiaries.load_reference_data[{result.id}] succeeded")
    assert f"[{result.id}] succeeded" not in first.output()
    assert Province.objects.count() == _csv_rows("provinces.csv")
