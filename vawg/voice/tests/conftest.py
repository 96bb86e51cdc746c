import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_rate_limit_counters():
    """Each test starts with no submissions counted against its address."""
    cache.clear()
    yield
    cache.clear()
