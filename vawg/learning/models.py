"""Training, initiative registers and case-review recommendations."""
