import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_rate_limit_counters(request):
    """Each test starts with no submissions counted against its address.

    The counts live in the shared cache, a database table (settings.CACHES), so this
    first sets up the test's database; a test without one has no counts to empty.
    """
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames or marker:
        request.getfixturevalue("db")
    else:
        yield
        return
    cache.clear()
    yield
    cache.clear()
