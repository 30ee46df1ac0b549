"""Shared test helpers: services, the hub harness, fake servers, waiting."""
