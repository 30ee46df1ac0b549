"""``hub channels ...``: set up provider inboxes."""

from __future__ import annotations

import click


@click.group()
def channels() -> None:
    """Check and register provider inboxes."""
