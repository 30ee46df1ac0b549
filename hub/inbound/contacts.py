"""Provider profiles into contacts: what a channel tells about its user, validated."""

from __future__ import annotations

import logging

from automations.errors import FieldValueError
from automations.fields import validate_value
from channels.base import Profile
from config.fields import FieldDef
from hub.store.models import Contact

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


def fill_from_profile(contact: Contact, profile: Profile | None) -> bool:
    """Copy the provider's profile into the contact's empty, unlocked fields (True if any)."""
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
