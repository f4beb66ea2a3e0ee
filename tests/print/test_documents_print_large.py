"""A month of a 5,000-enrolment commune, printed: the long lists keep the layout page after page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.print.checks import CHECKS
from tests.print.printed import print_documents
from tests.print.test_documents_print import FAILING_TODAY

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice, pytest.mark.django_db]

SIZE = 5000
KINDS = ("dang-ky-btxh-tk", "ngan-hang", "buu-dien", "bao-cao-thang")


@pytest.fixture(scope="module")
def large_printed(django_db_setup, django_db_blocker, tmp_path_factory):
    from core.bulk import HistoryStamp
    from demo.seed import DEMO_COMMUNE, ensure_reference_data
    from demo.synthetic import DEFAULT_AS_OF, Reference, UniquePool, populate_commune
    from payments.services.cycles import open_cycle
    from tests.factories import CommuneFactory

    def populate():
        ensure_reference_data()
        fields = {k: v for k, v in DEMO_COMMUNE.items() if k != "code"}
        commune = CommuneFactory(code="15999", **fields)
        populate_commune(
            commune,
            size=SIZE,
            seed=15999,
            ref=Reference.load(),
            pool=UniquePool(15999),
            stamp=HistoryStamp(user=None, date=timezone.now(), reason="print check"),
            as_of=DEFAULT_AS_OF,
        )
        open_cycle(commune, DEFAULT_AS_OF)
        return commune

    with django_db_blocker.unblock():
        return print_documents(
            populate, DEFAULT_AS_OF, tmp_path_factory.mktemp("large"), only=KINDS
        )


def _cases() -> list:
    cases = []
    for check in CHECKS:
        for kind in KINDS:
            reason = FAILING_TODAY.get((check, kind))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(check, kind, marks=marks, id=f"{check}-{kind}"))
    return cases


@pytest.mark.parametrize(("check", "kind"), _cases())
def test_large_document(large_printed, check, kind):
    assert CHECKS[check](large_printed[kind]) == []
