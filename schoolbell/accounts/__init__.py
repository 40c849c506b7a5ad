"""Accounts: the office and school staff who sign in, and what each of them may see."""
