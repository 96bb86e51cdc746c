"""Indicators with baselines, targets, values, status and trend."""
