"""Alerts: composing, targeting, fanning out to deliveries, and reporting what happened."""
