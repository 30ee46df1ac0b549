"""The remote NLU provider (Dialogflow CX), called before ``decide``.

``automations.conversation`` classifies with the local engine itself; only a remote
provider needs I/O, so the hub asks it first (:func:`automations.conversation.nlu_request`
says whether and what) and passes the result in the customer's input. One :class:`Nlu` per
loaded config, shared by every task of the process.

Its async gRPC client binds to the event loop it is created on, and ``build_bot`` may run
in a thread without one, so the client is created on first use, inside the loop that serves
the conversation. A provider that cannot be created (missing credentials) is reported once
and the local engine answers, like any other provider failure.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from automations.actions import MessageButton
from automations.conversation import NluRequest
from automations.conversation.answers import confirm_button as _confirm_button
from automations.nlu import NluEngine, NluError, NluResult
from config.intents import NluSettings

if TYPE_CHECKING:  # the Google SDK loads only for configurations that use Dialogflow
    from automations.nlu.dialogflow import DialogflowCxProvider

log = logging.getLogger(__name__)

EMULATOR_ENV = "HUB_DIALOGFLOW_EMULATOR_HOST"
"""``host:port`` of a Dialogflow CX emulator (plain gRPC, no credentials), in the manner of
Google's ``*_EMULATOR_HOST`` variables: how tests and local demos point the real SDK client at
a fake Sessions service. Unset in production."""

CACHE_DIR = "nlu-cache"
"""Trained models are cached by config hash under ``settings.data_dir / CACHE_DIR``."""


class Nlu:
    """The remote side of one config's NLU; ``remote`` never raises for provider trouble."""

    def __init__(
        self, engine: NluEngine, settings: NluSettings, environ: Mapping[str, str] | None = None
    ) -> None:
        self.engine = engine
        self.settings = settings
        self._environ = dict(environ if environ is not None else os.environ)
        self._provider: DialogflowCxProvider | None = None
        self._provider_broken = False
        #: fallbacks to the local engine not counted by the provider itself (no client)
        self._unconfigured = 0
        if settings.provider == "dialogflow_cx":
            # import now: a missing SDK fails the (re)load, not the first customer message
            import automations.nlu.dialogflow  # noqa: F401
        serving = engine.serving()
        log.info("NLU: the %s model serves (full model: %s)", serving.model, serving.full)

    def serving(self) -> dict[str, object]:
        """Which local model answers and how the full one is doing, for ``/readyz``."""
        return self.engine.serving().to_dict()

    async def aclose(self) -> None:
        """Release the remote provider's connection (a reload or shutdown replaces it)."""
        if self._provider is not None:
            await self._provider.aclose()

    def fallbacks(self) -> Counter[str]:
        """Remote-provider failures answered locally, by reason (for the metrics)."""
        counts: Counter[str] = Counter()
        if self._provider is not None:
            counts.update(self._provider.fallbacks)
        if self._unconfigured:
            counts["unconfigured"] += self._unconfigured
        return counts

    async def remote(self, request: NluRequest) -> NluResult | None:
        """The provider's result (its own fallbacks included), or None when there is no
        provider to ask: ``decide`` then answers locally and says "unconfigured"."""
        provider = self._remote()
        if provider is None:
            self._unconfigured += 1
            return None
        return await provider.classify(request.text, request.conversation_id, request.language)

    def _remote(self) -> DialogflowCxProvider | None:
        if self.settings.provider != "dialogflow_cx" or self._provider_broken:
            return None
        if self._provider is None:
            try:
                self._provider = self._make_provider()
            except (NluError, ValueError, OSError) as exc:
                # e.g. the credentials variable is unset; the local engine answers meanwhile
                log.warning("Dialogflow CX is unavailable, answering locally: %s", exc)
                self._provider_broken = True
                return None
        return self._provider

    def _make_provider(self) -> DialogflowCxProvider:
        from automations.nlu.dialogflow import DialogflowCxProvider

        settings = self.settings.dialogflow
        assert settings is not None  # NluSettings requires it with provider dialogflow_cx
        emulator = self._environ.get(EMULATOR_ENV)
        if emulator:
            import grpc
            from google.cloud import dialogflowcx_v3 as cx
            from google.cloud.dialogflowcx_v3.services.sessions.transports import (
                SessionsGrpcAsyncIOTransport,
            )

            channel = grpc.aio.insecure_channel(emulator)
            client = cx.SessionsAsyncClient(transport=SessionsGrpcAsyncIOTransport(channel=channel))
            return DialogflowCxProvider(settings, self.engine, client)
        return DialogflowCxProvider.from_settings(settings, self.engine, environ=self._environ)


def confirm_button(text: str, offered: Sequence[Mapping[str, Any]]) -> str | None:
    """The confirm button ``text`` stands for after a message that offered ``offered``
    (buttons as stored on the message); see ``automations.conversation.answers``."""
    buttons = [MessageButton(str(b.get("id", "")), str(b.get("title", ""))) for b in offered]
    return _confirm_button(text, buttons)


__all__ = ["CACHE_DIR", "EMULATOR_ENV", "Nlu", "confirm_button"]
