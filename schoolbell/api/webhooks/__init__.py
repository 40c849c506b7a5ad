"""Outgoing webhooks: an office's endpoints, signed events, collection and sending with retries."""
