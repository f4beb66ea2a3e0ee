"""The move of the generated files and the event log from ``reports`` to ``documents``.

A database migrated from before the move keeps its rows, the content types
(now labelled ``documents``) and the roles' grants of their permissions.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from documents.models import Event, GeneratedFile
from tests.factories import CommuneFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.migrations]

BEFORE = [("reports", "0005_monthly_report")]


@pytest.fixture
def executor():
    executor = MigrationExecutor(connection)
    yield executor
    # Whatever happened, the database ends on the latest state for the next tests.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.mark.slow
def test_a_database_from_before_the_move_keeps_rows_content_types_and_grants(executor):
    commune = CommuneFactory(code="15307", name="Yến Sơn")
    officer = UserFactory(username="canbo")

    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldFile = old.get_model("reports", "GeneratedFile")
    OldEvent = old.get_model("reports", "Event")
    OldGroup = old.get_model("auth", "Group")
    OldPermission = old.get_model("auth", "Permission")
    generated = OldFile.objects.create(
        kind="registration_self",
        commune_id=commune.pk,
        programme=old.get_model("beneficiaries", "Programme").objects.create(
            code="NCC", name="Người có công", short_name="NCC"
        ),
        period=datetime.date(2027, 1, 1),
        status="done",
        file="generated/15307/2027-01/ds.xlsx",
        rows=2,
        total_amount=3_055_000,
        checksum="a" * 64,
        finished_at=datetime.datetime(2027, 1, 2, tzinfo=datetime.UTC),
        requested_by_id=officer.pk,
    )
    event = OldEvent.objects.create(
        kind="file_downloaded",
        actor_id=officer.pk,
        commune_id=commune.pk,
        generated_file=generated,
        data={"checksum": "a" * 64},
    )
    view = OldPermission.objects.get(
        content_type__app_label="reports", codename="view_generatedfile"
    )
    group, _created = OldGroup.objects.get_or_create(name="accountant")
    group.permissions.add(view)
    content_type_pk = view.content_type_id

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    moved = GeneratedFile.objects.get(pk=generated.pk)
    assert (moved.kind, moved.commune, moved.rows, moved.total_amount, moved.requested_by) == (
        "registration_self",
        commune,
        2,
        3_055_000,
        officer,
    )
    assert moved.file.name == "generated/15307/2027-01/ds.xlsx"
    logged = Event.objects.get(pk=event.pk)
    assert (logged.generated_file, logged.actor, logged.data) == (
        moved,
        officer,
        {"checksum": "a" * 64},
    )
    content_type = ContentType.objects.get_for_model(GeneratedFile)
    assert (content_type.pk, content_type.app_label) == (content_type_pk, "documents")
    assert not ContentType.objects.filter(app_label="reports", model__in=["generatedfile", "event"])
    permission = Permission.objects.get(pk=view.pk)
    assert (permission.content_type, permission.codename) == (content_type, "view_generatedfile")
    assert Group.objects.get(name="accountant").permissions.filter(pk=permission.pk).exists()
