"""What every ``hub`` command shares: loading settings and config (problems printed as
``file:line: message``, then exit), logging, the event loop of the long-running commands."""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, NoReturn

import click

from config.errors import ConfigError, SettingsError
from config.loader import AppConfig, load_config
from config.settings import Settings, load_settings


def fail(lines: list[str], code: int = 1) -> NoReturn:
    for line in lines:
        click.echo(line)
    sys.exit(code)


def load_settings_for(config_dir: str | None) -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        fail([str(p) for p in exc.problems], 2)
    if config_dir:
        settings = settings.model_copy(update={"config_dir": Path(config_dir)})
    return settings


def run_long(settings: Settings, main: Coroutine[Any, Any, None]) -> None:
    """Run a long-running command on the loop ``HUB_EVENT_LOOP`` chose."""
    from hub.event_loop import EventLoopUnavailable, run

    try:
        run(main, settings.event_loop)
    except EventLoopUnavailable as exc:  # raised before ``main`` starts
        main.close()
        fail([str(exc)], 2)


def load_app_config(settings: Settings) -> AppConfig:
    try:
        config = load_config(settings.config_dir)
    except ConfigError as exc:
        fail([str(p) for p in exc.problems])
    for warning in config.warnings:
        click.echo(str(warning), err=True)
    return config


def setup_logging(settings: Settings) -> None:
    from hub.logs import configure

    configure(settings.log_level, settings.log_format)


config_option = click.option(
    "--config", "config_dir", default=None, help="config directory (default: HUB_CONFIG_DIR)"
)
