"""Contact identity resolution: one person across channels, merged by E.164 phone."""

from __future__ import annotations

from typing import Any

from channels.base import InboundItem, Profile
from hub.models import Contact, ContactIdentity

#: provider profile field -> contact column; filled only while empty and not agent-set
PROFILE_FIELDS = ("name", "phone", "email")


def _fill_from_profile(contact: Contact, profile: Profile | None) -> bool:
    if profile is None:
        return False
    changed = False
    for name in PROFILE_FIELDS:
        value = getattr(profile, name)
        if value and not getattr(contact, name) and name not in contact.locked_fields:
            setattr(contact, name, value)
            changed = True
    return changed


async def resolve_identity(
    conn: Any, inbox_id: int, item: InboundItem
) -> tuple[ContactIdentity, Contact, bool]:
    """Find or create the identity and its contact (True when the identity is new).
    The caller holds the lane lock, so nobody else creates this identity meanwhile."""
    identity = (
        await ContactIdentity.filter(inbox_id=inbox_id, source_id=item.source_id)
        .select_related("contact")
        .using_db(conn)
        .first()
    )
    if identity is not None:
        contact = identity.contact
        if _fill_from_profile(contact, item.profile):
            await contact.save(using_db=conn)
        return identity, contact, False
    phone = item.profile.phone if item.profile else None
    existing = (
        await Contact.filter(phone=phone).using_db(conn).order_by("id").first() if phone else None
    )
    if existing is None:
        contact = Contact()
        _fill_from_profile(contact, item.profile)
        await contact.save(using_db=conn)
    else:
        contact = existing
        if _fill_from_profile(contact, item.profile):
            await contact.save(using_db=conn)
    identity = await ContactIdentity.create(
        inbox_id=inbox_id, source_id=item.source_id, contact_id=contact.id, using_db=conn
    )
    return identity, contact, True
