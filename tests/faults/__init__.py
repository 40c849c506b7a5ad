"""The fault suite: real workers, simulator, SMTP sink and PostgreSQL, broken on purpose, counted."""
