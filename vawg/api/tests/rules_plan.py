"""URL rules for this part of the API (gathered by url_rules.py)."""

RULES: dict = {}
