"""Is this webhook for this inbox? Recipient checks and the counter of what was turned away.

A valid signature proves who sent a webhook, not which of the sender's accounts it is for:
one Meta app signs the events of every phone number and page it is subscribed to with the
same app secret, and one Twilio auth token signs the webhooks of every number of the
account. Each adapter therefore compares the recipient the payload names (WhatsApp
``metadata.phone_number_id`` and the WABA ``entry.id``, the Messenger page id, Twilio's
``AccountSid`` and our own number) with the inbox config, and keeps a
:class:`RefusalCounter` of everything it refused or ignored, by reason, for ``/metrics``.

What happens to a mismatch depends on the provider (see each adapter): Meta items are
*ignored* one entry or change at a time (the rest of the batch is kept and the POST is
answered 200, or Meta would re-send the whole batch for days); a Twilio request is
*refused* with 403 (one message per request, no retries by default, and the refusal shows
up in the operator's Twilio debugger).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from channels.phones import strip_channel_prefix

# -- reasons (label values of the refusal counter) -------------------------------------
WRONG_PHONE_NUMBER_ID = "wrong_phone_number_id"
WRONG_WABA_ID = "wrong_waba_id"
WRONG_PAGE_ID = "wrong_page_id"
WRONG_ACCOUNT_SID = "wrong_account_sid"
WRONG_NUMBER = "wrong_number"
WRONG_MESSAGING_SERVICE = "wrong_messaging_service"
MISSING_RECIPIENT = "missing_recipient"
INVALID_ITEM = "invalid_item"  #: an item of the wrong shape, kept as a failed item


class RefusalCounter:
    """Counts of refused or ignored webhook items by reason; plain and synchronous, so the
    hub's metrics endpoint can read :meth:`snapshot` without awaiting anything."""

    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, reason: str, count: int = 1) -> None:
        self._counts[reason] = self._counts.get(reason, 0) + count

    def __getitem__(self, reason: str) -> int:
        return self._counts.get(reason, 0)

    @property
    def total(self) -> int:
        return sum(self._counts.values())

    def snapshot(self) -> Mapping[str, int]:
        """A read-only copy: reason -> count since the adapter was built."""
        return MappingProxyType(dict(self._counts))


def same_address(given: object, ours: str) -> bool:
    """Twilio addresses compared without the channel prefix (``whatsapp:+1...`` is the
    number ``+1...``) and with surrounding spaces ignored."""
    if not isinstance(given, str) or not given.strip():
        return False
    return strip_channel_prefix(given.strip())[1] == strip_channel_prefix(ours.strip())[1]
