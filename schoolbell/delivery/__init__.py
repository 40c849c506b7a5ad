"""Delivery: the dispatcher that claims, renders and sends deliveries, and the provider webhooks."""
