"""Notices of ``teams.yaml``: where alerts go (Slack, email) and how an unanswered one climbs.

Secrets never sit in a config file: a Slack incoming-webhook URL and an SMTP host are given
as the NAMES of environment variables, which the hub reads at start and ``/readyz`` reports
when they are missing::

    notices:
      targets:
        - name: support_slack
          slack: {webhook_url_env: HUB_SLACK_WEBHOOK_URL}
        - name: managers
          email: {to: [manager@demo.example], smtp_host_env: HUB_SMTP_HOST}
      ladder:                        # an alert nobody acts on climbs after each delay
        - {after: 0s, notify: assignee}
        - {after: 5m, notify: team}
        - {after: 10m, notify: here}
        - {after: 20m, notify: manager, target: managers}

``team`` and ``here`` go through the team's ``notify`` target unless the rung names a
``target``; ``manager`` writes to the team's ``manager`` address (else the target's ``to``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from config.automation_types import Name, parse_duration
from config.validation import StrictModel

_ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


def _env_name(value: str) -> str:
    if not re.match(_ENV_NAME, value):
        raise ValueError(
            "must be the NAME of the environment variable that holds the secret "
            "(e.g. HUB_SLACK_WEBHOOK_URL), never the secret itself (value not shown)"
        )
    return value


EnvName = Annotated[str, AfterValidator(_env_name)]


def _not_negative(value: timedelta) -> timedelta:
    if value.total_seconds() < 0:
        raise ValueError("delay must not be negative")
    return value


#: like Duration but 0s is allowed (the first rung fires at once)
Delay = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_not_negative)]


class SlackTarget(StrictModel):
    webhook_url_env: EnvName


class EmailTarget(StrictModel):
    to: tuple[Email, ...] = Field(min_length=1)
    smtp_host_env: EnvName
    smtp_port_env: EnvName | None = None
    from_address: Email | None = None


class NoticeTarget(StrictModel):
    name: Name
    slack: SlackTarget | None = None
    email: EmailTarget | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> NoticeTarget:
        if (self.slack is None) == (self.email is None):
            raise ValueError("a notice target needs exactly one of 'slack' or 'email'")
        return self

    @property
    def env_names(self) -> tuple[str, ...]:
        if self.slack is not None:
            return (self.slack.webhook_url_env,)
        assert self.email is not None
        port = (self.email.smtp_port_env,) if self.email.smtp_port_env else ()
        return (self.email.smtp_host_env, *port)


LadderWho = Literal["assignee", "team", "here", "manager"]


class LadderStep(StrictModel):
    after: Delay
    notify: LadderWho
    #: notice target that carries this rung (default: the team's ``notify`` target)
    target: Name | None = None


class NoticesDef(StrictModel):
    targets: tuple[NoticeTarget, ...] = ()
    ladder: tuple[LadderStep, ...] = ()

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    @property
    def env_names(self) -> tuple[str, ...]:
        """Every environment variable the notices need, for ``/readyz`` and ``hub check``."""
        return tuple(dict.fromkeys(n for t in self.targets for n in t.env_names))

    def missing_env(self, environ: Mapping[str, str]) -> tuple[str, ...]:
        """Names of needed variables that ``environ`` lacks or leaves empty (for ``/readyz``
        and ``hub check``; the values themselves are never reported)."""
        return tuple(name for name in self.env_names if not environ.get(name, "").strip())
