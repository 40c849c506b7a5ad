"""Scheduling: the one scheduler process that triggers due work (scheduled alerts, after downtime once)."""
