"""The NLU layer in the bot step: language, intent, FAQ answer, "did this answer it?".

``automations.nlu`` is pure (text in, :class:`NluResult` out); this module is what the hub
adds around it: one :class:`Nlu` per loaded config (built by ``hub.bot.build_bot``, possibly
in a worker thread), the choice of the conversation's language, the replies an answer
becomes, and the JSON kept on the customer's message. The bot loop (hub/bot/step.py) decides
*when*: after the survey step, before the rules, and answers only when no rule did.

Dialogflow CX is optional. Its async gRPC client binds to the event loop it is created on,
and ``build_bot`` may run in a thread without one, so the client is created on first use,
inside the loop that serves the conversation. A provider that cannot be created (missing
credentials) is reported once and the local engine answers, like any other provider failure.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from automations.nlu import (
    CONFIRM_NO,
    CONFIRM_YES,
    NluEngine,
    NluError,
    NluResult,
    PlannedAnswer,
    confirm_prompt,
)
from channels.base import Button
from config.hub import QuickButton
from config.intents import NluSettings
from config.loader import AppConfig
from config.settings import Settings
from hub.bot.actions import snippet_buttons
from hub.outbound.replies import Reply
from hub.store.models import Message
from snippets import Rendered, SnippetError

if TYPE_CHECKING:  # the Google SDK loads only for configurations that use Dialogflow
    from automations.nlu.dialogflow import DialogflowCxProvider

log = logging.getLogger(__name__)

__all__ = [
    "CONFIRM_NO",
    "CONFIRM_YES",
    "EMULATOR_ENV",
    "Nlu",
    "NluAnswer",
    "SnippetRenderer",
    "confirm_button",
    "confirm_reply",
    "record_feedback",
    "stored",
    "thanks",
    "typed_confirm",
]

EMULATOR_ENV = "HUB_DIALOGFLOW_EMULATOR_HOST"
"""``host:port`` of a Dialogflow CX emulator (plain gRPC, no credentials), in the manner of
Google's ``*_EMULATOR_HOST`` variables: how tests and local demos point the real SDK client at
a fake Sessions service. Unset in production."""

CACHE_DIR = "nlu-cache"
"""Trained models are cached by config hash under ``settings.data_dir / CACHE_DIR``."""

SnippetRenderer = Callable[[str, str], Rendered]
"""Renders snippet ``name`` in ``language`` for the conversation being answered; raises
:class:`~snippets.SnippetError` (the hub builds one per answer: hub/bot/step.py)."""

_THANKS = {
    "en": "Great, glad I could help!",
    "fr": "Parfait, ravi d'avoir pu vous aider !",
    "es": "¡Genial, me alegra haber ayudado!",
}


def localized(texts: Mapping[str, str], language: str, default: str) -> str:
    """The text in ``language``, else in ``default``, else the first one written."""
    return texts.get(language) or texts.get(default) or next(iter(texts.values()), "")


class Nlu:
    """The NLU of one config: the trained local engine, and the remote provider if any.

    Shared by every task of the process; ``classify`` never raises for provider trouble.
    """

    def __init__(
        self, engine: NluEngine, settings: NluSettings, environ: Mapping[str, str]
    ) -> None:
        self.engine = engine
        self.settings = settings
        self._environ = dict(environ)
        self._provider: DialogflowCxProvider | None = None
        self._provider_broken = False
        #: fallbacks to the local engine not counted by the provider itself (no client)
        self._unconfigured = 0

    @classmethod
    def build(
        cls,
        config: AppConfig,
        settings: Settings | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Nlu | None:
        """Train (or load from the cache) the engine; None without ``intents.yaml``.

        Slow the first time a config is seen (seconds): the caller runs it off the event loop.
        """
        intents = config.intents
        if intents is None:
            return None
        cache_dir = settings.data_dir / CACHE_DIR if settings is not None else None
        engine = NluEngine.build(
            intents,
            config.hub.languages,
            config.hub.default_language,
            config.knowledge,
            cache_dir=cache_dir,
        )
        if intents.settings.provider == "dialogflow_cx":
            # import now: a missing SDK fails the (re)load, not the first customer message
            import automations.nlu.dialogflow  # noqa: F401
        serving = engine.serving()
        log.info("NLU: the %s model serves (full model: %s)", serving.model, serving.full)
        return cls(engine, intents.settings, environ if environ is not None else os.environ)

    def serving(self) -> dict[str, object]:
        """Which local model answers and how the full one is doing, for ``/readyz``."""
        return self.engine.serving().to_dict()

    async def aclose(self) -> None:
        """Release the remote provider's connection (a reload or shutdown replaces it)."""
        if self._provider is not None:
            await self._provider.aclose()

    @property
    def default_language(self) -> str:
        return self.engine.default_language

    @property
    def confirm(self) -> bool:
        return self.settings.confirm_answer

    def fallbacks(self) -> Counter[str]:
        """Remote-provider failures answered locally, by reason (for the metrics)."""
        counts: Counter[str] = Counter()
        if self._provider is not None:
            counts.update(self._provider.fallbacks)
        if self._unconfigured:
            counts["unconfigured"] += self._unconfigured
        return counts

    def detect_language(self, text: str) -> str | None:
        return self.engine.detect_language(text)

    async def classify(self, text: str, conversation_id: str, language: str) -> NluResult:
        provider = self._remote()
        if provider is not None:
            return await provider.classify(text, conversation_id, language)
        result = self.engine.classify(text, language)
        if self.settings.provider == "dialogflow_cx":
            self._unconfigured += 1
            return dataclasses.replace(result, fallback_reason="unconfigured")
        return result

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

    def answer(
        self,
        result: NluResult,
        language: str,
        max_buttons: int,
        snippets: SnippetRenderer | None = None,
    ) -> NluAnswer | None:
        """What to send for ``result``: the intent's answer (its text, or its snippet
        rendered by ``snippets`` for this conversation), or the knowledge passage with its
        link, or None (out-of-scope, or a snippet that cannot be rendered)."""
        if result.article is not None:
            hit = result.article
            return NluAnswer(
                kind="article",
                language=language,
                replies=(Reply(text=f"{hit.passage}\n\n{hit.title}: {hit.url}"),),
                confirm=self.confirm,
            )
        planned = self.engine.answer(result)
        if planned is None:
            return None
        if planned.snippet is not None:
            return self._snippet_answer(planned, snippets, max_buttons)
        assert planned.text is not None  # an intent's answer is a text or a snippet
        return NluAnswer(
            kind="intent",
            language=planned.language,
            replies=(
                Reply(
                    text=planned.text,
                    buttons=_buttons(planned, self.default_language, max_buttons),
                ),
            ),
            confirm=planned.confirm,
        )

    def _snippet_answer(
        self, planned: PlannedAnswer, snippets: SnippetRenderer | None, max_buttons: int
    ) -> NluAnswer | None:
        """The snippet in the answer's language; its buttons, then the intent's own."""
        assert planned.snippet is not None
        if snippets is None:
            log.warning("intent %s: no snippets to render its answer", planned.intent)
            return None
        try:
            rendered = snippets(planned.snippet, planned.language)
        except SnippetError as exc:
            log.warning("intent %s: its snippet failed: %s", planned.intent, exc)
            return None
        own = (
            Button(b.id, localized(b.title, rendered.language, self.default_language))
            for b in planned.buttons
        )
        buttons = snippet_buttons(rendered, own)
        # channels without buttons (max 0) render them as a numbered list: keep them all
        limit = max_buttons if max_buttons > 0 else len(buttons)
        return NluAnswer(
            kind="intent",
            language=rendered.language,
            replies=(Reply(text=rendered.text, buttons=buttons[:limit]),),
            confirm=planned.confirm,
        )


def _buttons(planned: PlannedAnswer, default: str, max_buttons: int) -> tuple[Button, ...]:
    # channels without buttons (max 0) render them as a numbered list: keep them all
    limit = max_buttons if max_buttons > 0 else len(planned.buttons)
    return tuple(
        Button(b.id, localized(b.title, planned.language, default)) for b in planned.buttons[:limit]
    )


@dataclass(frozen=True, slots=True)
class NluAnswer:
    """The replies an NLU result becomes, before the confirm question."""

    kind: Literal["intent", "article"]
    language: str
    replies: tuple[Reply, ...]
    confirm: bool


def confirm_reply(language: str) -> Reply:
    """The "did this answer your question?" prompt with its yes/no buttons, in ``language``."""
    question, buttons = confirm_prompt(language)
    return Reply(text=question, buttons=tuple(_button(b, language) for b in buttons))


def _button(button: QuickButton, language: str) -> Button:
    return Button(button.id, localized(button.title, language, language))


#: informal spellings of the confirm buttons, besides their titles and numbers
_TYPED = {
    CONFIRM_YES: frozenset(
        {"yes", "y", "yep", "yeah", "oui", "ouais", "si", "sí"}
        # thanks right after "did this answer your question?" means it did
        | {"thanks", "thank you", "thx", "merci", "merci beaucoup", "gracias"}
    ),
    CONFIRM_NO: frozenset({"no", "n", "nope", "non", "nan"}),
}


async def typed_confirm(conn: Any, conversation_id: int, text: str) -> str | None:
    """ "yes"/"no" (or "1"/"2" where buttons are a numbered list, as on SMS) typed right
    after the confirm question counts as pressing its button."""
    last = (
        await Message.filter(conversation_id=conversation_id, direction="out")
        .using_db(conn)
        .order_by("-id")
        .first()
    )
    return confirm_button(text, last.buttons or []) if last is not None else None


def confirm_button(text: str, offered: Sequence[Mapping[str, Any]]) -> str | None:
    """The confirm button ``text`` stands for, when ``offered`` (the buttons of the bot's
    last message) are the confirm question's: its title, its number in a numbered list, or
    a plain yes/no word. Anything longer is a new message for the NLU."""
    ids = [b.get("id") for b in offered]
    if ids != [CONFIRM_YES, CONFIRM_NO]:
        return None
    word = text.strip().strip(".!?¡¿ ").casefold()
    for number, button in enumerate(offered, start=1):
        if word in (str(number), str(button.get("title", "")).casefold()):
            return str(button["id"])
    for button_id, words in _TYPED.items():
        if word in words:
            return button_id
    return None


def thanks(language: str) -> Reply:
    """The short reply to "yes, that answered it"."""
    return Reply(text=_THANKS.get(language, _THANKS["en"]))


async def record_feedback(conn: Any, conversation_id: int, message: Message, helpful: bool) -> None:
    """Keep the customer's verdict on the press and on the last question it is about."""
    previous = (
        await Message.filter(
            conversation_id=conversation_id,
            direction="in",
            id__lt=message.id,
            nlu__isnull=False,
        )
        .using_db(conn)
        .order_by("-id")
        .first()
    )
    about = None
    if previous is not None and isinstance(previous.nlu, dict) and previous.nlu.get("answered"):
        about = previous.id
        updated = {**previous.nlu, "helpful": helpful}
        await Message.filter(id=previous.id).using_db(conn).update(nlu=updated)
    verdict: dict[str, object] = {"feedback": "yes" if helpful else "no", "about_message": about}
    await Message.filter(id=message.id).using_db(conn).update(nlu=verdict)
    message.nlu = verdict


def stored(
    result: NluResult,
    *,
    answered: bool,
    answer: str | None = None,
    detected_language: str | None = None,
    skipped: str | None = None,
) -> dict[str, Any]:
    """The JSON kept in ``Message.nlu``: the result, whether an answer went out (and which),
    the language detected in this very message, and why the bot stayed quiet if it did."""
    data = result.to_dict()
    data.update(
        answered=answered,
        answer=answer,
        detected_language=detected_language,
        skipped=skipped,
    )
    # numpy floats and tuples become plain JSON values, the same on SQLite and PostgreSQL
    plain: dict[str, Any] = json.loads(json.dumps(data, default=float))
    return plain
