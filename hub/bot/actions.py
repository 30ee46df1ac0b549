"""Delivery of the notifications a decision recorded, one entry per ``via``.

The brain decides that somebody is notified (``notify`` actions become
:class:`~automations.conversation.NotificationRecord` values, already refused when their
``via`` is not one of :data:`NOTIFIERS`); the applier stores each one and then hands it to
its notifier here. Email and Slack are one entry each when the routing issue adds them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from automations.conversation import NotificationRecord

log = logging.getLogger(__name__)

Notifier = Callable[[int, NotificationRecord], Awaitable[None]]


async def _notify_log(conversation_id: int, notification: NotificationRecord) -> None:
    log.info("rule %s notifies (conversation %s)", notification.rule, conversation_id)
    log.debug("notification text: %s", notification.text)


async def _notify_inbox(conversation_id: int, notification: NotificationRecord) -> None:
    """Agents read it from the notification record (the inbox UI shows it later)."""


#: ``via`` name -> delivery; every notification is recorded first, whatever its ``via``
NOTIFIERS: dict[str, Notifier] = {"log": _notify_log, "inbox": _notify_inbox}


async def deliver(conversation_id: int, notification: NotificationRecord) -> None:
    notifier = NOTIFIERS.get(notification.via)
    if notifier is not None:  # the brain refused any other via
        await notifier(conversation_id, notification)
