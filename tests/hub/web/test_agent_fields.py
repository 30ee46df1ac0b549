"""Agents write custom fields through the same validation as surveys and rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.auth import create_api_token
from hub.store.models import Agent, Contact, Conversation
from tests.support.harness import HubHarness

FIELDS = """\
fields:
  - name: company_size
    type: number
    min: 1
    max: 100000
  - name: plan
    type: single_choice
    choices:
      - {value: starter, label: Starter}
      - {value: pro, label: Pro}
"""


RULES = """\
rules:
  - name: pro_plan
    when: {field_changed: plan}
    if: {field: {plan: pro}}
    then:
      - add_label: pro
      - send: {en: "You are now on the Pro plan."}
"""


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path, extra_files={"fields.yaml": FIELDS, "rules.yaml": RULES})
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def _contact_and_auth(hub: HubHarness, role: str = "agent") -> tuple[int, dict[str, str]]:
    agent = await Agent.create(email=f"{role}@example.com", name=role, role=role)
    token = await create_api_token(agent)
    assert (await hub.post_api({"id": "m", "sender": {"id": "c"}, "text": "Hi"})).status == 200
    await hub.settled()
    contact = await Contact.get()
    return contact.id, {"Authorization": f"Bearer {token}"}


async def test_valid_values_are_stored_in_their_typed_form(hub: HubHarness) -> None:
    contact_id, auth = await _contact_and_auth(hub)
    response = await hub.http.patch(
        f"/api/contacts/{contact_id}/fields",
        json={"fields": {"company_size": "250", "plan": "pro"}},
        headers=auth,
    )
    assert response.status == 200, await response.text()
    assert (await response.json())["custom_fields"] == {"company_size": 250, "plan": "pro"}
    cleared = await hub.http.patch(
        f"/api/contacts/{contact_id}/fields", json={"fields": {"plan": None}}, headers=auth
    )
    assert (await cleared.json())["custom_fields"] == {"company_size": 250}


async def test_invalid_values_are_refused_with_a_reason_and_nothing_is_written(
    hub: HubHarness,
) -> None:
    contact_id, auth = await _contact_and_auth(hub)
    response = await hub.http.patch(
        f"/api/contacts/{contact_id}/fields",
        json={"fields": {"company_size": 0, "plan": "enterprise", "colour": "red"}},
        headers=auth,
    )
    assert response.status == 400
    error = (await response.json())["error"]
    assert error.startswith("company_size: ")
    assert "plan: " in error
    assert "unknown field 'colour'" in error
    assert (await Contact.get(id=contact_id)).custom_fields == {}


async def test_contacts_outside_the_agents_view_are_404(hub: HubHarness) -> None:
    contact_id, auth = await _contact_and_auth(hub)
    missing = await hub.http.patch(
        "/api/contacts/999/fields", json={"fields": {"plan": "pro"}}, headers=auth
    )
    assert missing.status == 404
    unauthenticated = await hub.http.patch(
        f"/api/contacts/{contact_id}/fields", json={"fields": {"plan": "pro"}}
    )
    assert unauthenticated.status == 401


async def test_an_agents_write_raises_field_changed_for_the_rules(hub: HubHarness) -> None:
    contact_id, auth = await _contact_and_auth(hub)
    response = await hub.http.patch(
        f"/api/contacts/{contact_id}/fields", json={"fields": {"plan": "pro"}}, headers=auth
    )
    assert response.status == 200
    await hub.settled()
    conversation = await Conversation.get(contact_id=contact_id)
    assert "pro" in conversation.labels
    assert hub.callback.received[-1].body["text"] == "You are now on the Pro plan."
    # writing the same value again changes nothing, so the rule does not fire again
    sent = len(hub.callback.received)
    again = await hub.http.patch(
        f"/api/contacts/{contact_id}/fields", json={"fields": {"plan": "pro"}}, headers=auth
    )
    assert again.status == 200
    await hub.settled()
    assert len(hub.callback.received) == sent
