"""Logins, their passwords and throttling, API tokens and roles."""
