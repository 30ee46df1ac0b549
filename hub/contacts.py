"""Contact identity resolution: one person across channels, merged by E.164 phone."""

from __future__ import annotations

import logging
from typing import Any

from automations.errors import FieldValueError
from automations.fields import validate_value
from channels.base import InboundItem, Profile
from config.fields import FieldDef
from hub.models import Contact, ContactIdentity

log = logging.getLogger(__name__)

#: provider profile field -> the typed check its contact column gets (the same validation
#: as custom fields written by surveys, rules and agents), or None for phones, which the
#: channel already normalised to E.164 (the provider is authoritative about its user's
#: number, so phonenumbers' stricter "valid" check would drop real ones); filled only while
#: empty and not set by an agent
PROFILE_FIELDS: dict[str, FieldDef | None] = {
    "name": FieldDef(name="name", type="text", max_length=200),
    "phone": None,
    "email": FieldDef(name="email", type="email", max_length=254),
}


def _fill_from_profile(contact: Contact, profile: Profile | None) -> bool:
    if profile is None:
        return False
    changed = False
    for name, spec in PROFILE_FIELDS.items():
        raw = getattr(profile, name)
        if not raw or getattr(contact, name) or name in contact.locked_fields:
            continue
        try:
            value = raw if spec is None else validate_value(spec, raw)
        except FieldValueError:
            log.debug("provider profile %s refused for contact %s", name, contact.id)
            continue
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
