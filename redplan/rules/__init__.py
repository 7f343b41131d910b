"""Audit rules, one per module, listed in redplan.rules.registry."""
