"""The public support directory and its finder."""
