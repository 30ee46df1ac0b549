"""Bad input gets a clear answer and loses or duplicates nothing."""

from __future__ import annotations

import json
import time
from unittest import mock

import itsdangerous

from hub.store.models import InboundEvent
from tests.support.harness import HubHarness


async def test_malformed_json_is_400_with_a_one_line_reason(embedded: HubHarness) -> None:
    response = await embedded.post_api(None, raw=b'{"id": "m-1", "sender":')
    assert response.status == 400
    body = await response.json()
    assert body["error"].startswith("malformed JSON")
    assert "\n" not in body["error"]
    assert await InboundEvent.all().count() == 0


async def test_a_body_that_is_json_but_not_a_message_is_400(embedded: HubHarness) -> None:
    response = await embedded.post_api({"messages": [{"id": "m-1", "text": "no sender"}]})
    assert response.status == 400
    assert (await response.json())["error"] == "messages[0].sender must be an object with an 'id'"
    assert await InboundEvent.all().count() == 0


async def test_unknown_inbox_is_404(embedded: HubHarness) -> None:
    response = await embedded.http.post("/webhooks/nope", data=b"{}")
    assert response.status == 404
    assert (await response.json())["error"] == "unknown inbox 'nope'"


async def test_body_over_the_limit_is_413(embedded: HubHarness) -> None:
    limit = embedded.runtime.settings.max_body_bytes  # type: ignore[union-attr]
    huge = json.dumps({"id": "m", "sender": {"id": "c"}, "text": "x" * limit}).encode()
    response = await embedded.post_api(None, raw=huge)
    assert response.status == 413
    assert "exceeded" in (await response.json())["error"]
    assert await InboundEvent.all().count() == 0


async def test_wrong_signature_is_401_and_nothing_is_stored(embedded: HubHarness) -> None:
    response = await embedded.post_api(
        {"id": "m-1", "sender": {"id": "c"}, "text": "Hi"}, secret="not-the-secret"
    )
    assert response.status == 401
    assert (await response.json())["error"] == "signature does not match the body"
    missing = await embedded.http.post("/webhooks/api", data=b'{"id": "m-1"}')
    assert missing.status == 401
    assert await InboundEvent.all().count() == 0


async def test_a_signature_over_a_reserialised_body_is_rejected(embedded: HubHarness) -> None:
    from channels.signatures import hmac_sha256_hex

    body = {"id": "m-1", "sender": {"id": "c"}, "text": "Olá"}
    sent = json.dumps(body).encode()  # "Ol\\u00e1"
    signed_over = json.dumps(body, ensure_ascii=False).encode()
    response = await embedded.http.post(
        "/webhooks/api",
        data=sent,
        headers={
            "X-Hub-Signature-256": "sha256=" + hmac_sha256_hex("test-api-secret", signed_over)
        },
    )
    assert response.status == 401


async def test_a_forged_visitor_token_is_401(embedded: HubHarness) -> None:
    token = await embedded.visitor()
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (forged, "not-a-token"):
        response = await embedded.visitor_says(bad, "hello")
        assert response.status == 401
        assert (await response.json())["error"] == "missing, forged or expired visitor token"
        history = await embedded.http.get(
            "/api/webchat/web/messages", headers={"Authorization": f"Bearer {bad}"}
        )
        assert history.status == 401
        ws = await embedded.http.get(f"/api/webchat/web/ws?token={bad}")
        assert ws.status == 401
    assert await InboundEvent.all().count() == 0


async def test_a_visitor_never_reads_another_visitors_conversation(embedded: HubHarness) -> None:
    alice, bob = await embedded.visitor(), await embedded.visitor()
    await embedded.visitor_says(alice, "alice's secret")
    await embedded.settled()
    response = await embedded.http.get(
        "/api/webchat/web/messages", headers={"Authorization": f"Bearer {bob}"}
    )
    assert (await response.json())["messages"] == []


async def test_an_expired_visitor_token_is_401(embedded: HubHarness) -> None:
    days = embedded.runtime.config.hub.visitor_token_days  # type: ignore[union-attr]
    signer = itsdangerous.URLSafeTimedSerializer("test-secret-key", salt="hub.webchat.visitor")
    with mock.patch("time.time", return_value=time.time() - (days + 1) * 86400):
        old = signer.dumps({"i": "web", "v": "v_old"})
    response = await embedded.visitor_says(old, "hello")
    assert response.status == 401
    assert await InboundEvent.all().count() == 0


async def test_a_visitor_token_of_one_inbox_is_refused_by_another(tmp_path) -> None:
    from hub.auth import VisitorTokens

    tokens = VisitorTokens("k", 30)
    token, _ = tokens.issue("web")
    assert tokens.read(token, "other") is None


def test_a_remembered_visitor_token_still_expires() -> None:
    from hub.auth import VisitorTokens

    tokens = VisitorTokens("k", 1)
    token, visitor = tokens.issue("web")
    assert tokens.read(token, "web") == visitor  # verified once, then remembered
    with mock.patch("time.time", return_value=time.time() + 2 * 86400):
        assert tokens.read(token, "web") is None
    assert tokens.read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "web") is None
    assert tokens.read(token, "other") is None
    assert tokens.read(token, "web") == visitor


async def test_visitor_message_validation_is_400(embedded: HubHarness) -> None:
    token = await embedded.visitor()
    response = await embedded.http.post(
        "/api/webchat/web/messages",
        json={"client_id": "c1", "text": "   "},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 400
    assert "needs 'text' or 'payload'" in (await response.json())["error"]
    response = await embedded.http.post(
        "/api/webchat/web/messages",
        data=b"{oops",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 400


async def test_a_resent_visitor_message_is_stored_once(embedded: HubHarness) -> None:
    token = await embedded.visitor()
    first = await embedded.visitor_says(token, "hello", client_id="same")
    second = await embedded.visitor_says(token, "hello", client_id="same")
    assert [(await first.json())["duplicate"], (await second.json())["duplicate"]] == [False, True]
    await embedded.settled()
    assert await InboundEvent.all().count() == 1


async def test_agent_api_needs_a_valid_token(embedded: HubHarness) -> None:
    for headers in ({}, {"Authorization": "Bearer hub_nope"}, {"Authorization": "Basic x"}):
        response = await embedded.http.get("/api/conversations", headers=headers)
        assert response.status == 401
        assert (await response.json())["error"] == "missing or invalid API token"


async def test_provider_profiles_go_through_field_validation(embedded: HubHarness) -> None:
    from hub.store.models import Contact

    body = {
        "messages": [
            {
                "id": "m-1",
                "sender": {
                    "id": "a",
                    "name": "Ada",
                    "email": "ADA@Example.COM",
                    "phone": "+33 6 12 34 56 78",
                },
                "text": "Hi",
            },
            {
                "id": "m-2",
                "sender": {"id": "b", "name": "x" * 300, "email": "not-an-email", "phone": "12"},
                "text": "Hi",
            },
        ]
    }
    assert (await embedded.post_api(body)).status == 200
    await embedded.settled()
    ada, other = await Contact.all().order_by("id")
    assert (ada.name, ada.email, ada.phone) == ("Ada", "ADA@example.com", "+33612345678")
    # refused values are left empty rather than stored wrong; the message still went through
    assert (other.name, other.email, other.phone) == (None, None, None)
