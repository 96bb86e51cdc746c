"""Values read from a query string, into which anyone can type anything.

A page that names an object in its query (`?priority=12`) reads the id with `query_id` and
looks it up within the partnership: junk, like an id of another partnership's object, finds
nothing, and the page answers as it does for nothing (usually a 404), never a server error.
Filters with more than one field are read through a form instead.
"""

from django.http import QueryDict

# The largest id a row can have (a 64-bit auto field).
MAX_ID = 2**63 - 1


def query_id(query: QueryDict, key: str) -> int | None:
    """The id at `key` in `query`: a whole number from 1 to MAX_ID, or None for anything else."""
    value = query.get(key, "")
    if not (value.isascii() and value.isdecimal()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
