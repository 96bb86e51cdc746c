"""Screening, the risk checklist, MARAC referrals, meetings and statistics."""
