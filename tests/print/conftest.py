import datetime

import pytest

from tests.print.printed import print_documents


@pytest.fixture(scope="module")
def demo_printed(django_db_setup, django_db_blocker, tmp_path_factory):
    """Yến Sơn's documents of 06/2025, its last month before the merger, printed once
    for the module (the demo seeded as it stood then: five months closed, June a draft)."""
    from demo.seed import seed_demo

    june = datetime.date(2025, 6, 1)
    with django_db_blocker.unblock():
        return print_documents(
            lambda: seed_demo(as_of=june.replace(day=15)).commune,
            june,
            tmp_path_factory.mktemp("documents"),
        )
