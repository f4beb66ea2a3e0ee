"""Who sees which generated file: the rules each app registers with its kind,
applied by ``documents.access`` to the pages' lists and to the one download."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone

from documents.access import get_file_for, visible_files
from documents.models import GeneratedFile
from payments.models import PaymentCycle
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2027, 1, 1)
Kind = GeneratedFile.Kind


def _file(commune, kind, *, sent=False, programme=None):
    generated = GeneratedFile(
        kind=kind,
        commune=commune,
        programme=programme,
        period=JANUARY,
        status="done",
        rows=1,
        total_amount=1_000,
        checksum="b" * 64,
        finished_at=timezone.now(),
        progress=100,
        sent_at=timezone.now() if sent else None,
    )
    generated.file.save("tep.xlsx", ContentFile(b"PK"), save=False)
    generated.save()
    return generated


@pytest.fixture
def files(commune, other_commune, leader):
    ncc = ProgrammeFactory()
    PaymentCycle.objects.create(
        commune=commune, period=JANUARY, due_on=JANUARY.replace(day=5), status="approved",
        approved_by=leader,
    )  # fmt: skip
    return {
        "list": _file(commune, Kind.REGISTRATION_SELF, programme=ncc),
        "sent_list": _file(commune, Kind.REGISTRATION_REPRESENTATIVE, programme=ncc, sent=True),
        "report": _file(commune, Kind.MONTHLY_REPORT, sent=True),
        "bank": _file(commune, Kind.BANK_FILES),
        "cash": _file(commune, Kind.POST_OFFICE_LISTS),
        "elsewhere": _file(other_commune, Kind.REGISTRATION_SELF, programme=ncc),
    }


def _seen(user, files) -> set[str]:
    names = {f.pk: name for name, f in files.items()}
    return {names[pk] for pk in visible_files(user).values_list("pk", flat=True)}


HERE = {"list", "sent_list", "report", "bank", "cash"}


@pytest.mark.parametrize(
    ("role", "before", "after"),
    [
        ("officer", HERE, HERE),
        ("accountant", HERE, HERE),
        ("leader", HERE, HERE),
        # The paying office: what was sent to it, and a cycle's files once submitted.
        ("district", {"sent_list", "report"}, {"sent_list", "report", "bank", "cash"}),
        # The post office: a submitted cycle's cash lists, nothing else.
        ("post_office", set(), {"cash"}),
        ("police", set(), set()),
        ("other_officer", {"elsewhere"}, {"elsewhere"}),
    ],
)
def test_each_role_sees_the_files_its_kinds_rules_allow(request, files, role, before, after):
    user = request.getfixturevalue(role)
    assert _seen(user, files) == before
    PaymentCycle.objects.filter(period=JANUARY).update(status="submitted")
    assert _seen(user, files) == after


@pytest.mark.parametrize(
    ("role", "name", "answer"),
    [
        ("accountant", "bank", "ok"),
        ("district", "list", Http404),  # not sent yet
        ("district", "sent_list", "ok"),
        ("district", "cash", Http404),  # the cycle is not submitted yet
        ("post_office", "cash", Http404),
        ("post_office", "bank", PermissionDenied),  # accounts: never the post office
        ("post_office", "report", PermissionDenied),
        ("police", "cash", PermissionDenied),
        ("other_officer", "report", Http404),
    ],
)
def test_one_file_is_served_or_refused_by_its_kinds_rules(request, files, role, name, answer):
    user = request.getfixturevalue(role)
    if answer == "ok":
        assert get_file_for(user, files[name].pk) == files[name]
    else:
        with pytest.raises(answer):
            get_file_for(user, files[name].pk)
