import pytest

from tests.print.printed import print_documents


@pytest.fixture(scope="module")
def demo_printed(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo commune's documents of its latest month, printed once for the module."""
    from demo.seed import seed_demo
    from demo.synthetic import DEFAULT_AS_OF

    with django_db_blocker.unblock():
        return print_documents(
            lambda: seed_demo().commune, DEFAULT_AS_OF, tmp_path_factory.mktemp("documents")
        )
