"""Customer messages of many lanes applied in one transaction (DESIGN.md data path, 5 to 9).

Resolve each sender's identity and contact, get or open the conversation, store the
message, run the bot step and write its replies. Each phase is one multi-row statement for
the whole group, so a group of N messages costs about ten round trips instead of ten per
message. The caller guarantees that the group holds at most one message per identity and
holds the lane locks, which makes the result the same as applying the messages one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from channels.base import InboundItem
from channels.keys import stable_key
from hub.bot.step import BotTurn, bot_of, run_bot_step
from hub.context import HubContext
from hub.inbound.contacts import fill_from_profile
from hub.outbound.replies import ReplyBatch, create_reply_batches
from hub.store.bulk import insert_all, update_each
from hub.store.models import (
    Contact,
    ContactIdentity,
    Conversation,
    ConversationStatus,
    InboundEvent,
    Message,
    Outbox,
    SenderKind,
)


@dataclass(slots=True)
class _Work:
    """One message on its way through the phases."""

    event: InboundEvent
    item: InboundItem
    identity: ContactIdentity | None = None
    contact: Contact | None = None
    new_identity: bool = False
    conversation: Conversation | None = None
    opened: bool = False
    message: Message | None = None

    @property
    def identity_key(self) -> tuple[int, str]:
        return identity_key(self.event, self.item)


def identity_key(event: InboundEvent, item: InboundItem) -> tuple[int, str]:
    """What a group may hold only once: the sender's address on its inbox."""
    return (event.inbox_id, item.source_id)


async def apply_messages(
    ctx: HubContext, conn: Any, messages: Sequence[tuple[InboundEvent, InboundItem]]
) -> list[Outbox]:
    """Apply ``messages`` in ``conn``'s transaction; returns the outbox rows to send."""
    works = [_Work(event, item) for event, item in messages]
    if len({work.identity_key for work in works}) != len(works):
        raise ValueError("a message group must hold one message per identity")
    await _resolve_identities(conn, works)
    await _get_or_open_conversations(conn, works)
    await _store_messages(conn, works)
    rows = [(w.conversation, w.contact) for w in works if w.conversation and w.contact]
    current = [w.message for w in works if w.message is not None]
    loaded = await bot_of(ctx).load(ctx, conn, rows, current)
    batches: list[ReplyBatch] = []
    for work in works:
        assert work.conversation is not None
        assert work.contact is not None
        assert work.identity is not None
        assert work.message is not None
        turn = BotTurn(
            inbox=ctx.inboxes_by_id[work.event.inbox_id],
            conversation=work.conversation,
            contact=work.contact,
            identity=work.identity,
            message=work.message,
            item=work.item,
            opened=work.opened,
            now=datetime.now(UTC),
            loaded=loaded.get(work.conversation.id),
        )
        replies = await run_bot_step(ctx, conn, turn)
        if replies:
            batches.append(ReplyBatch(work.conversation, work.identity.source_id, replies))
    return await create_reply_batches(conn, batches)


async def _resolve_identities(conn: Any, works: list[_Work]) -> None:
    """Known identities with their contacts in one query; new ones get a contact (the one
    with the same phone number if there is one, so a person is one contact across
    channels) and are inserted together."""
    keys = {work.identity_key for work in works}
    found = (
        await ContactIdentity.filter(
            inbox_id__in={inbox for inbox, _ in keys}, source_id__in={source for _, source in keys}
        )
        .select_related("contact")
        .using_db(conn)
    )
    by_key = {(i.inbox_id, i.source_id): i for i in found if (i.inbox_id, i.source_id) in keys}
    #: one instance per contact, so two messages of one person see each other's changes
    contacts: dict[int, Contact] = {}
    changed: dict[int, Contact] = {}
    for work in works:
        identity = by_key.get(work.identity_key)
        if identity is None:
            continue
        contact = contacts.setdefault(identity.contact.id, identity.contact)
        if fill_from_profile(contact, work.item.profile):
            changed[contact.id] = contact
        work.identity, work.contact = identity, contact
    new = [work for work in works if work.identity is None]
    phones = {w.item.profile.phone for w in new if w.item.profile and w.item.profile.phone}
    by_phone: dict[str, Contact] = {}
    if phones:
        for contact in await Contact.filter(phone__in=phones).using_db(conn).order_by("id"):
            if contact.phone is not None:
                by_phone.setdefault(contact.phone, contacts.setdefault(contact.id, contact))
    fresh: list[Contact] = []
    for work in new:
        phone = work.item.profile.phone if work.item.profile else None
        same_phone = by_phone.get(phone) if phone else None
        if same_phone is None:
            same_phone = Contact()
            fill_from_profile(same_phone, work.item.profile)
            fresh.append(same_phone)
            if phone:
                by_phone[phone] = same_phone
        elif fill_from_profile(same_phone, work.item.profile) and same_phone.pk is not None:
            changed[same_phone.id] = same_phone
        work.contact, work.new_identity = same_phone, True
    await insert_all(conn, fresh)
    for contact in changed.values():
        await contact.save(using_db=conn)
    identities = [
        ContactIdentity(
            inbox_id=w.event.inbox_id, source_id=w.item.source_id, contact_id=w.contact.id
        )
        for w in new
        if w.contact is not None
    ]
    await insert_all(conn, identities)
    for work, identity in zip(new, identities, strict=True):
        work.identity = identity


async def _get_or_open_conversations(conn: Any, works: list[_Work]) -> None:
    """The newest unresolved conversation of each known identity, or a new one."""
    known = [work.identity.id for work in works if work.identity and not work.new_identity]
    open_by_identity: dict[int, Conversation] = {}
    if known:
        candidates = (
            await Conversation.filter(identity_id__in=known)
            .exclude(status=ConversationStatus.RESOLVED)
            .using_db(conn)
            .order_by("-id")
        )
        for conversation in candidates:
            open_by_identity.setdefault(conversation.identity_id, conversation)
    opened: list[Conversation] = []
    continued: list[Conversation] = []
    for work in works:
        assert work.identity is not None
        assert work.contact is not None
        received_at = work.item.occurred_at or work.event.received_at
        existing = open_by_identity.get(work.identity.id)
        if existing is None:
            conversation = Conversation(
                contact_id=work.contact.id,
                inbox_id=work.event.inbox_id,
                identity_id=work.identity.id,
                language=work.contact.language,
                last_customer_message_at=received_at,
            )
            opened.append(conversation)
            work.opened = True
        else:
            conversation = existing
            conversation.last_customer_message_at = received_at
            continued.append(conversation)
        work.conversation = conversation
    await insert_all(conn, opened)
    await update_each(conn, Conversation, "last_customer_message_at", continued)
    unreachable = [w.identity.id for w in works if w.identity and not w.identity.reachable]
    if unreachable:
        await ContactIdentity.filter(id__in=unreachable).using_db(conn).update(reachable=True)
        for work in works:
            if work.identity is not None and work.identity.id in unreachable:
                work.identity.reachable = True


async def _store_messages(conn: Any, works: list[_Work]) -> None:
    messages = []
    for work in works:
        assert work.conversation is not None
        item = work.item
        work.message = Message(
            conversation_id=work.conversation.id,
            inbox_id=work.event.inbox_id,
            direction="in",
            sender_kind=SenderKind.CONTACT,
            text=item.text,
            content_type=item.content_type,
            attachments=[a.to_dict() for a in item.attachments],
            payload=item.payload,
            provider_message_id=stable_key(item.message_id) if item.message_id else None,
        )
        messages.append(work.message)
    await insert_all(conn, messages)
