"""The real-worker fixtures, shared by every broker test module."""

from tests.broker.test_celery_worker import not_eager, queue, start_worker  # noqa: F401
