"""Sign-ins, sign-outs and failures go to the audit trail (no usernames: references only)."""
