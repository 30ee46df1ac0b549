"""ORM rows to API bodies (one place, so the agent API and web chat agree)."""

from __future__ import annotations

from hub.store.models import Contact, Conversation, Message
from hub.web.schemas import ButtonOut, ContactOut, ConversationOut, MessageOut


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.id,
        direction=message.direction,
        sender_kind=message.sender_kind,
        text=message.text,
        content_type=message.content_type,
        buttons=[ButtonOut(id=b["id"], title=b["title"]) for b in message.buttons or []],
        payload=message.payload,
        delivery_status=message.delivery_status,
        error=message.error,
        created_at=message.created_at,
    )


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut(
        id=contact.id,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        language=contact.language,
        custom_fields=contact.custom_fields or {},
    )


def conversation_out(
    conversation: Conversation, contact: Contact, inbox_slug: str
) -> ConversationOut:
    return ConversationOut(
        id=conversation.id,
        inbox=inbox_slug,
        status=conversation.status,
        team=conversation.team,
        assignee_id=conversation.assignee_id,
        priority=conversation.priority,
        language=conversation.language,
        labels=conversation.labels or [],
        contact=contact_out(contact),
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        last_customer_message_at=conversation.last_customer_message_at,
    )
