"""Quarterly progress on the action plan, its exceptions and the published plan."""
