"""Scheduling: the one scheduler process that triggers due work, and lesson-series dates."""
