"""Entities an agent needs at a glance: order references, emails and phone numbers.

Found in the contact's fields and in the customer's own messages, each with where it came
from (``field:order_id`` or the message id), so the agent can check it in context. Phone
numbers are parsed by ``phonenumbers`` (E.164 out; national numbers only with a region);
emails and order references by patterns kept deliberately narrow: a wrong "reference" on the
agent's screen costs more than a missed one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import phonenumbers

from automations.escalation.signals import Turn

EntityKind = Literal["order_ref", "email", "phone"]
MAX_SCAN = 4000
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}\b")
_ORDER = re.compile(
    r"(?i)(?:\border|\bcommande|\bpedido|\bpurchase|\bref(?:erence)?|\bréf(?:érence)?|\bn°|#|订单号?)"
    r"\s*(?:n°|no\.?|number|numéro|numero|:|#)?\s*([A-Z0-9][A-Z0-9-]{3,24}\d)\b"
)
_CODE = re.compile(r"\b([A-Z]{2,5}-\d{3,12})\b")
#: a custom field with such a name holds an order reference whatever its format
_REF_FIELD = re.compile(r"(?i)order|ref|commande|pedido|booking|ticket|invoice|facture")


@dataclass(frozen=True, slots=True)
class Entity:
    kind: EntityKind
    value: str
    source: str


def _phones(text: str, region: str | None) -> list[str]:
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text[:MAX_SCAN], region or "ZZ"):
        if phonenumbers.is_valid_number(match.number):
            found.append(
                phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            )
    return found


def entities_in(text: str, source: str, region: str | None = None) -> list[Entity]:
    head = text[:MAX_SCAN]
    out = [Entity("email", m.group(0).lower(), source) for m in _EMAIL.finditer(head)]
    out += [Entity("phone", p, source) for p in _phones(head, region)]
    refs = [m.group(1) for m in _ORDER.finditer(head)] + [m.group(1) for m in _CODE.finditer(head)]
    out += [Entity("order_ref", r, source) for r in refs if any(ch.isdigit() for ch in r)]
    return out


def collect(
    turns: Iterable[Turn],
    fields: Mapping[str, object],
    email: str | None,
    phone: str | None,
    region: str | None = None,
) -> tuple[Entity, ...]:
    """Every distinct entity of the profile and of the customer's turns, first seen first."""
    found: list[Entity] = []
    if email:
        found.append(Entity("email", email.lower(), "contact"))
    if phone:
        found.append(Entity("phone", phone, "contact"))
    for name, value in fields.items():
        if isinstance(value, str | int) and not isinstance(value, bool):
            text = str(value).strip()
            if _REF_FIELD.search(name) and text:
                found.append(Entity("order_ref", text[:64], f"field:{name}"))
            else:
                found += entities_in(text, f"field:{name}", region)
    for turn in turns:
        if turn.sender == "customer" and turn.text:
            found += entities_in(turn.text, turn.id, region)
    seen: set[tuple[str, str]] = set()
    unique = []
    for entity in found:
        key = (entity.kind, entity.value)
        if key not in seen:
            seen.add(key)
            unique.append(entity)
    return tuple(unique)
