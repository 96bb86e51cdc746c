"""Who may see each delivery URL: read by the URL sweep in vawg/core/tests/test_url_sweep.py."""

RULES: dict = {}
