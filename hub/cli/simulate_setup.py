"""What ``hub simulate`` needs from outside ``automations``: the config loaded, the
brain built with the snippet library, each channel's button limit from its adapter."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from automations.conversation import (
    build_brain,
)
from automations.nlu import ClassifierOptions
from automations.simulation import History, Settings, Target, read_chatwoot, read_jsonl
from automations.simulation.run import target
from channels.registry import adapter_class
from config.errors import ConfigError
from config.inboxes import INBOX_KINDS
from config.loader import load_config
from hub.bot.step import snippet_renderer
from snippets import SnippetLibrary


def read_history(text: str, fmt: str) -> History:
    """``auto``: Chatwoot when the file is one JSON document or its lines carry
    Chatwoot's ``meta`` / ``inbox_id``; else the plain / hub JSONL."""
    if fmt == "chatwoot":
        return read_chatwoot(text)
    if fmt == "auto":
        head = text.lstrip()[:2000]
        if head.startswith("[") or '"payload"' in head or '"message_type"' in head:
            return read_chatwoot(text)
    return read_jsonl(text.splitlines())


def target_for(directory: Path, encoder: bool, *, memo: bool = True) -> Target:
    try:
        config = load_config(directory)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(2)
    options = None if encoder else ClassifierOptions(transformer_weight=0)
    library = SnippetLibrary.from_config(config.snippets, config.hub)
    with tempfile.TemporaryDirectory() as cache:
        brain = build_brain(
            config, cache_dir=Path(cache), snippets=snippet_renderer(library), options=options
        )
    inboxes: dict[str, str] = {}
    for inbox in config.hub.inboxes:
        inboxes.setdefault(inbox.kind, inbox.slug)
    buttons = {kind: adapter_class(kind).capabilities.max_buttons for kind in INBOX_KINDS}
    return target(brain, Settings(max_buttons=buttons, inboxes=inboxes), memo=memo)


__all__ = ["read_history", "target_for"]
