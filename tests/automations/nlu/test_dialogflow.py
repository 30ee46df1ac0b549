"""Dialogflow CX through a local fake gRPC server speaking the Sessions service.

The real ``SessionsAsyncClient`` is pointed at the fake (recipe: provider contracts 6.4);
nothing in the SDK is patched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from google.cloud import dialogflowcx_v3 as cx
from google.cloud.dialogflowcx_v3.services.sessions.transports import (
    SessionsGrpcAsyncIOTransport,
)

from automations.nlu.dialogflow import DialogflowCxProvider, endpoint, session_id
from automations.nlu.engine import NluEngine
from config.intents import DialogflowSettings


@dataclass
class FakeSessions:
    """Answers DetectIntent from ``mode``; records every request it got."""

    mode: str = "match"
    delay: float = 0.0
    requests: list[cx.DetectIntentRequest] = field(default_factory=list)

    async def detect_intent(self, request: cx.DetectIntentRequest, context: Any):
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.mode == "unavailable":
            await context.abort(grpc.StatusCode.UNAVAILABLE, "try later")
        if self.mode == "quota":
            await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "quota exceeded")
        if self.mode == "no_match":
            match = cx.Match(match_type=cx.Match.MatchType.NO_MATCH, confidence=0.0)
        else:
            match = cx.Match(
                match_type=cx.Match.MatchType.INTENT,
                confidence=0.87,
                intent=cx.Intent(
                    name="projects/p/locations/europe-west1/agents/a/intents/1",
                    display_name="pricing",
                ),
            )
        return cx.DetectIntentResponse(
            query_result=cx.QueryResult(
                text=request.query_input.text.text,
                language_code=request.query_input.language_code,
                match=match,
            )
        )


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeSessions, str]]:
    sessions = FakeSessions()
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler(
        "google.cloud.dialogflow.cx.v3.Sessions",
        {
            "DetectIntent": grpc.unary_unary_rpc_method_handler(
                sessions.detect_intent,
                request_deserializer=cx.DetectIntentRequest.deserialize,
                response_serializer=cx.DetectIntentResponse.serialize,
            )
        },
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield sessions, f"127.0.0.1:{port}"
    finally:
        await server.stop(grace=None)


def provider_for(address: str, engine: NluEngine, timeout_s: float = 2.0) -> DialogflowCxProvider:
    settings = DialogflowSettings(
        project="p", location="europe-west1", agent="a", timeout_s=timeout_s
    )
    channel = grpc.aio.insecure_channel(address)
    client = cx.SessionsAsyncClient(transport=SessionsGrpcAsyncIOTransport(channel=channel))
    return DialogflowCxProvider(settings, engine, client)


async def test_match_maps_onto_the_result(fake, engine: NluEngine):
    sessions, address = fake
    provider = provider_for(address, engine)
    result = await provider.classify("combien coûte l'offre pro ?", "conv-1", "fr")
    assert result.provider == "dialogflow_cx"
    assert result.intent == "pricing"
    assert result.confidence == pytest.approx(0.87)
    assert not result.out_of_scope
    assert result.fallback_reason is None
    request = sessions.requests[-1]
    assert request.query_input.language_code == "fr"
    assert request.session == (
        f"projects/p/locations/europe-west1/agents/a/sessions/{session_id('conv-1')}"
    )
    answer = engine.answer(result)  # the answer text comes from intents.yaml
    assert answer is not None
    assert answer.text == "réponse pricing"


async def test_one_session_per_conversation(fake, engine: NluEngine):
    sessions, address = fake
    provider = provider_for(address, engine)
    await provider.classify("how much?", "conv-1", "en")
    await provider.classify("and the pro plan?", "conv-1", "en")
    await provider.classify("how much?", "conv-2", "en")
    paths = [r.session for r in sessions.requests]
    assert paths[0] == paths[1] != paths[2]
    assert all(len(p.rsplit("/", 1)[1]) <= 36 for p in paths)


async def test_no_match_is_out_of_scope(fake, engine: NluEngine):
    sessions, address = fake
    sessions.mode = "no_match"
    provider = provider_for(address, engine)
    result = await provider.classify("who painted the Mona Lisa?", "conv-1", "en")
    assert result.provider == "dialogflow_cx"
    assert result.out_of_scope
    assert result.intent is None
    assert provider.fallbacks == {}


async def test_timeout_falls_back_to_the_local_model(fake, engine: NluEngine):
    sessions, address = fake
    sessions.delay = 1.0
    provider = provider_for(address, engine, timeout_s=0.2)
    result = await provider.classify("I forgot my password", "conv-1", "en")
    assert result.provider == "local"
    assert result.intent == "reset_password"
    assert result.fallback_reason == "timeout"
    assert provider.fallbacks["timeout"] == 1


@pytest.mark.parametrize(("mode", "reason"), [("unavailable", "unavailable"), ("quota", "quota")])
async def test_unavailable_and_quota_fall_back_and_are_counted(fake, engine, mode, reason):
    sessions, address = fake
    sessions.mode = mode
    provider = provider_for(address, engine)
    for _ in range(2):
        result = await provider.classify("where are my invoices?", "conv-1", "en")
        assert result.provider == "local"
        assert result.intent == "invoices"
        assert result.fallback_reason == reason
    assert provider.fallbacks[reason] == 2


async def test_server_down_falls_back(engine: NluEngine):
    provider = provider_for("127.0.0.1:1", engine, timeout_s=0.5)
    result = await provider.classify("what are your prices?", "conv-1", "en")
    assert result.provider == "local"
    assert result.intent == "pricing"
    assert sum(provider.fallbacks.values()) == 1


async def test_empty_text_never_reaches_dialogflow(fake, engine: NluEngine):
    sessions, address = fake
    provider = provider_for(address, engine)
    result = await provider.classify("   ", "conv-1", "en")
    assert result.out_of_scope
    assert sessions.requests == []


async def test_aclose_closes_the_channel_and_later_messages_answer_locally(fake, engine):
    sessions, address = fake
    provider = provider_for(address, engine)
    await provider.classify("how much?", "conv-1", "en")
    channel = provider.client.transport.grpc_channel
    await provider.aclose()
    await provider.aclose()  # idempotent
    assert channel.get_state() == grpc.ChannelConnectivity.SHUTDOWN
    result = await provider.classify("what are your prices?", "conv-1", "en")
    assert result.provider == "local"
    assert result.intent == "pricing"
    assert result.fallback_reason == "closed"
    assert provider.fallbacks["closed"] == 1
    assert len(sessions.requests) == 1


def test_regional_endpoint():
    assert endpoint("global") == "dialogflow.googleapis.com"
    assert endpoint("europe-west1") == "europe-west1-dialogflow.googleapis.com"


def test_credentials_come_from_the_environment(tmp_path):
    from automations.nlu.dialogflow import make_client
    from automations.nlu.errors import ProviderError

    settings = DialogflowSettings(project="p", agent="a", credentials_file_env="DF_CREDENTIALS")
    with pytest.raises(ProviderError, match="DF_CREDENTIALS is not set"):
        make_client(settings, environ={})
    bad = tmp_path / "creds.json"
    bad.write_text("{}")
    with pytest.raises(ProviderError, match="cannot read Dialogflow credentials"):
        make_client(settings, environ={"DF_CREDENTIALS": str(bad)})
