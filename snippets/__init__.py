"""Canned responses: `/` command parsing, search, rendering with variables (a later issue)."""
