"""What the NLU layer adds to a turn: the FAQ answer's messages, "did this answer it?",
typed yes/no after that question, and the JSON kept on the customer's message.

Pure helpers over an :class:`NluResult`; the loop (``automations.conversation.step``)
decides *when*: after the survey step, before the rules hear the message, and an answer
goes out only when no rule replied.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from automations.actions import MessageButton
from automations.conversation.brain import localized
from automations.conversation.decision import OutgoingMessage
from automations.conversation.effects import render_snippet, snippet_buttons
from automations.conversation.working import Working
from automations.errors import ActionError
from automations.nlu import (
    CONFIRM_NO,
    CONFIRM_YES,
    Candidate,
    NluEngine,
    NluResult,
    PlannedAnswer,
)
from automations.nlu import confirm_prompt as _confirm_prompt

log = logging.getLogger(__name__)

_THANKS = {
    "en": "Great, glad I could help!",
    "fr": "Parfait, ravi d'avoir pu vous aider !",
    "es": "¡Genial, me alegra haber ayudado!",
}

#: informal spellings of the confirm buttons, besides their titles and numbers
_TYPED = {
    CONFIRM_YES: frozenset(
        {"yes", "y", "yep", "yeah", "oui", "ouais", "si", "sí"}
        # thanks right after "did this answer your question?" means it did
        | {"thanks", "thank you", "thx", "merci", "merci beaucoup", "gracias"}
    ),
    CONFIRM_NO: frozenset({"no", "n", "nope", "non", "nan"}),
}


@dataclass(frozen=True, slots=True)
class NluAnswer:
    """The messages an NLU result becomes, before the confirm question."""

    kind: Literal["intent", "article"]
    language: str
    replies: tuple[OutgoingMessage, ...]
    confirm: bool


def confirm_reply(language: str) -> OutgoingMessage:
    """The "did this answer your question?" prompt with its yes/no buttons, in ``language``."""
    question, buttons = _confirm_prompt(language)
    return OutgoingMessage(
        text=question,
        buttons=tuple(MessageButton(b.id, localized(b.title, language, language)) for b in buttons),
    )


def thanks(language: str) -> OutgoingMessage:
    """The short reply to "yes, that answered it"."""
    return OutgoingMessage(text=_THANKS.get(language, _THANKS["en"]))


def confirm_button(text: str, offered: Sequence[MessageButton]) -> str | None:
    """The confirm button ``text`` stands for, when ``offered`` (the buttons of the bot's
    last message) are the confirm question's: its title, its number in a numbered list, or
    a plain yes/no word. Anything longer is a new message for the NLU."""
    if [b.id for b in offered] != [CONFIRM_YES, CONFIRM_NO]:
        return None
    word = text.strip().strip(".!?¡¿ ").casefold()
    for number, button in enumerate(offered, start=1):
        if word in (str(number), button.title.casefold()):
            return button.id
    for button_id, words in _TYPED.items():
        if word in words:
            return button_id
    return None


def stored(
    result: NluResult,
    *,
    answered: bool,
    answer: str | None = None,
    detected_language: str | None = None,
    skipped: str | None = None,
) -> dict[str, Any]:
    """The JSON kept in ``Message.nlu``: the result, whether an answer went out (and which),
    the language detected in this very message, and why the bot stayed quiet if it did.

    Plain JSON values only (numpy floats become floats, tuples lists), the same on SQLite
    and PostgreSQL: what ``json.loads(json.dumps(asdict(result)))`` gives, built directly
    because that round trip was a seventh of a decision's time.
    """
    data = _plain_result(result)
    data.update(
        answered=answered,
        answer=answer,
        detected_language=detected_language,
        skipped=skipped,
    )
    return data


def _number(value: float | None) -> float | None:
    if value is None or type(value) in (int, float):
        return value
    return float(value)


def _candidate(candidate: Candidate | None) -> dict[str, Any] | None:
    if candidate is None:
        return None
    return {"intent": candidate.intent, "confidence": _number(candidate.confidence)}


def _plain_result(result: NluResult) -> dict[str, Any]:
    hit = result.article
    return {
        "intent": result.intent,
        "confidence": _number(result.confidence),
        "runner_up": _candidate(result.runner_up),
        "provider": result.provider,
        "language": result.language,
        "out_of_scope": bool(result.out_of_scope),
        "candidates": [_candidate(c) for c in result.candidates],
        "threshold": _number(result.threshold),
        "article": None
        if hit is None
        else {
            "title": hit.title,
            "url": hit.url,
            "passage": hit.passage,
            "score": _number(hit.score),
            "threshold": _number(hit.threshold),
        },
        "fallback_reason": result.fallback_reason,
    }


def answer(work: Working, nlu: NluEngine, result: NluResult) -> NluAnswer | None:
    """What to send for ``result``: the intent's answer (its text, or its snippet rendered
    for this conversation), or the knowledge passage with its link, or None (out of scope,
    or a snippet that cannot be rendered)."""
    confirm = work.brain.confirm
    if result.article is not None:
        hit = result.article
        text = f"{hit.passage}\n\n{hit.title}: {hit.url}"
        return NluAnswer("article", work.language, (OutgoingMessage(text=text),), confirm)
    planned = nlu.answer(result)
    if planned is None:
        return None
    if planned.snippet is not None:
        return _snippet_answer(work, planned)
    assert planned.text is not None  # an intent's answer is a text or a snippet
    message = OutgoingMessage(text=planned.text, buttons=_buttons(work, planned))
    return NluAnswer("intent", planned.language, (message,), planned.confirm)


def _limit(work: Working, count: int) -> int:
    # channels without buttons (max 0) render them as a numbered list: keep them all
    return work.max_buttons if work.max_buttons > 0 else count


def _buttons(work: Working, planned: PlannedAnswer) -> tuple[MessageButton, ...]:
    default = work.config.hub.default_language
    return tuple(
        MessageButton(b.id, localized(b.title, planned.language, default))
        for b in planned.buttons[: _limit(work, len(planned.buttons))]
    )


def _snippet_answer(work: Working, planned: PlannedAnswer) -> NluAnswer | None:
    """The snippet in the answer's language; its buttons, then the intent's own."""
    assert planned.snippet is not None
    try:
        rendered = render_snippet(work, planned.snippet, planned.language)
    except ActionError as exc:
        log.warning("intent %s: its snippet failed: %s", planned.intent, exc)
        return None
    default = work.config.hub.default_language
    own = (
        MessageButton(b.id, localized(b.title, rendered.language, default)) for b in planned.buttons
    )
    buttons = snippet_buttons(rendered, own)
    message = OutgoingMessage(text=rendered.text, buttons=buttons[: _limit(work, len(buttons))])
    return NluAnswer("intent", rendered.language, (message,), planned.confirm)


def feedback(work: Working, message_id: int, helpful: bool) -> None:
    """Keep the customer's verdict on the press and on the last answered question."""
    previous = work.last_nlu_before(message_id)
    about = None
    if previous is not None:
        data = work.nlu_of(previous)
        if isinstance(data, Mapping) and data.get("answered"):
            about = previous
            work.annotate(previous, {**data, "helpful": helpful})
    work.annotate(message_id, {"feedback": "yes" if helpful else "no", "about_message": about})


__all__ = [
    "NluAnswer",
    "answer",
    "confirm_button",
    "confirm_reply",
    "feedback",
    "stored",
    "thanks",
]
