"""Dialogflow CX as an optional NLU provider, with the local engine as its safety net.

One Dialogflow session per conversation (the session id is derived from the conversation id,
so contexts carry over between messages), the conversation's language code, the regional
endpoint of the agent's location, credentials from the environment. A match maps onto the same
:class:`NluResult` as the local classifier; ``NO_MATCH`` is out-of-scope. Timeouts, quota and
unavailability never reach the conversation: the local engine answers and the failure is
counted by reason (exported by the hub as a metric).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import inspect
import os
from collections import Counter
from collections.abc import Mapping
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.api_core.client_options import ClientOptions
from google.cloud import dialogflowcx_v3 as cx

from automations.nlu.engine import NluEngine
from automations.nlu.errors import ProviderError
from automations.nlu.result import Candidate, NluResult
from automations.nlu.text import has_letters
from config.intents import DialogflowSettings

MAX_QUERY_CHARS = 256
"""Dialogflow CX rejects text inputs longer than 256 characters (INVALID_ARGUMENT)."""

_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (google_exceptions.DeadlineExceeded, "timeout"),
    (TimeoutError, "timeout"),
    (google_exceptions.ResourceExhausted, "quota"),
    (google_exceptions.ServiceUnavailable, "unavailable"),
    (google_exceptions.PermissionDenied, "permission"),
    (google_exceptions.Unauthenticated, "permission"),
    (google_exceptions.InvalidArgument, "invalid"),
    (google_exceptions.NotFound, "not_found"),
)


def session_id(conversation_id: str) -> str:
    """A stable id of at most 36 characters (Dialogflow's limit) for one conversation."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:36]


def endpoint(location: str) -> str:
    """Global agents use the default host; regional agents must use their region's."""
    if location == "global":
        return "dialogflow.googleapis.com"
    return f"{location}-dialogflow.googleapis.com"


def make_client(settings: DialogflowSettings, environ: Mapping[str, str] | None = None) -> Any:
    """A ``SessionsAsyncClient`` for the configured agent.

    Credentials: the service-account file named by ``credentials_file_env`` when set, else
    Application Default Credentials (``GOOGLE_APPLICATION_CREDENTIALS``, the metadata server).
    """
    env = os.environ if environ is None else environ
    credentials = None
    if settings.credentials_file_env:
        path = env.get(settings.credentials_file_env)
        if not path:
            raise ProviderError(
                f"environment variable {settings.credentials_file_env} is not set "
                "(path of the Dialogflow service-account file)"
            )
        from google.oauth2 import service_account

        try:
            credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                path
            )
        except (OSError, ValueError) as exc:
            raise ProviderError(f"cannot read Dialogflow credentials: {exc}") from exc
    return cx.SessionsAsyncClient(
        credentials=credentials,
        client_options=ClientOptions(api_endpoint=endpoint(settings.location)),
    )


class DialogflowCxProvider:
    """Classifies with Dialogflow CX; falls back to ``fallback`` (the local engine)."""

    provider = "dialogflow_cx"

    def __init__(self, settings: DialogflowSettings, fallback: NluEngine, client: Any) -> None:
        self.settings = settings
        self.fallback = fallback
        self.client = client
        self.fallbacks: Counter[str] = Counter()
        self.calls = 0
        self.closed = False

    @classmethod
    def from_settings(
        cls,
        settings: DialogflowSettings,
        fallback: NluEngine,
        environ: Mapping[str, str] | None = None,
    ) -> DialogflowCxProvider:
        return cls(settings, fallback, make_client(settings, environ))

    async def aclose(self) -> None:
        """Close the client's gRPC channel (a reload builds a new provider; the old channel
        would otherwise keep its connection and its background tasks). Idempotent; a call
        still in flight fails and is answered locally like any provider failure."""
        if self.closed:
            return
        self.closed = True
        transport = getattr(self.client, "transport", None)
        close = getattr(transport, "close", None)
        if close is None:
            return
        result = close()
        if inspect.isawaitable(result):
            await result

    def session_path(self, conversation_id: str) -> str:
        s = self.settings
        return (
            f"projects/{s.project}/locations/{s.location}/agents/{s.agent}"
            f"/sessions/{session_id(conversation_id)}"
        )

    async def classify(
        self, text: str, conversation_id: str, language: str | None = None
    ) -> NluResult:
        """Never raises for provider trouble: the local engine answers instead."""
        language = language or self.fallback.detect_language(text) or self.fallback.default_language
        if self.closed:  # replaced by a reload while this message was on its way
            self.fallbacks["closed"] += 1
            result = self.fallback.classify(text, language)
            return dataclasses.replace(result, fallback_reason="closed")
        if not text.strip() or not has_letters(text):
            return self.fallback.classify(text, language)
        request = cx.DetectIntentRequest(
            session=self.session_path(conversation_id),
            query_input=cx.QueryInput(
                text=cx.TextInput(text=text[:MAX_QUERY_CHARS]), language_code=language
            ),
        )
        self.calls += 1
        try:
            response = await asyncio.wait_for(
                self.client.detect_intent(
                    request=request, retry=None, timeout=self.settings.timeout_s
                ),
                timeout=self.settings.timeout_s + 0.5,
            )
        except Exception as exc:  # any provider failure means: answer locally
            reason = next((r for kind, r in _REASONS if isinstance(exc, kind)), "error")
            self.fallbacks[reason] += 1
            result = self.fallback.classify(text, language)
            return dataclasses.replace(result, fallback_reason=reason)
        return self.fallback.with_knowledge(self._result(response, language), text)

    @staticmethod
    def _result(response: Any, language: str) -> NluResult:
        query = response.query_result
        match = query.match
        if match.match_type == cx.Match.MatchType.NO_MATCH or not match.intent.display_name:
            return NluResult(
                intent=None,
                confidence=float(match.confidence),
                runner_up=None,
                provider="dialogflow_cx",
                language=language,
                out_of_scope=True,
            )
        name = str(match.intent.display_name)
        confidence = float(match.confidence or query.intent_detection_confidence)
        return NluResult(
            intent=name,
            confidence=confidence,
            runner_up=None,
            provider="dialogflow_cx",
            language=language,
            out_of_scope=False,
            candidates=(Candidate(name, confidence),),
        )
