"""What the customer reads around a handoff, in en, fr, es and zh.

A person takes over (with an honest wait from the team's typical reply time until the
routing issue computes one), the offer of a person with its two buttons, the "never mind"
phrases that cancel a request, and "the bot is back". Pure data and small functions; the
operator's own texts (rules, snippets) always win over these defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from automations.escalation.text import fold, words

DEFAULT_LANGUAGE = "en"
OFFER_YES = "escalation:offer:yes"
OFFER_NO = "escalation:offer:no"

TAKING_OVER: Mapping[str, str] = {
    "en": "I'm passing you to a person from our team.",
    "fr": "Je vous passe un conseiller de notre équipe.",
    "es": "Le paso con una persona de nuestro equipo.",
    "zh": "正在为您转接人工客服。",
}
WAIT: Mapping[str, str] = {
    "en": "They usually reply within {wait}.",
    "fr": "Nous répondons d'habitude en {wait}.",
    "es": "Solemos responder en {wait}.",
    "zh": "通常会在{wait}内回复您。",
}
NO_ESTIMATE: Mapping[str, str] = {
    "en": "They will answer here as soon as they can.",
    "fr": "Il vous répondra ici dès que possible.",
    "es": "Le responderá aquí lo antes posible.",
    "zh": "客服会尽快在这里回复您。",
}
CANCEL_HINT: Mapping[str, str] = {
    "en": 'Changed your mind? Write "never mind".',
    "fr": "Vous avez changé d'avis ? Écrivez « laisse tomber ».",
    "es": "¿Ha cambiado de idea? Escriba «olvídalo».",
    "zh": "如果不需要了，请回复“算了”。",
}
OFFER: Mapping[str, str] = {
    "en": "Would you like to talk to a person?",
    "fr": "Voulez-vous parler à un conseiller ?",
    "es": "¿Quiere hablar con una persona?",
    "zh": "需要为您转接人工客服吗？",
}
OFFER_BUTTONS: Mapping[str, tuple[str, str]] = {
    "en": ("Talk to a person", "No thanks"),
    "fr": ("Parler à un conseiller", "Non merci"),
    "es": ("Hablar con una persona", "No, gracias"),
    "zh": ("转人工", "不用了"),
}
CANCELLED: Mapping[str, str] = {
    "en": "OK, I've cancelled the request. I'm still here if you need me.",
    "fr": "D'accord, j'ai annulé la demande. Je reste là si besoin.",
    "es": "De acuerdo, he cancelado la solicitud. Sigo aquí si me necesita.",
    "zh": "好的，已取消转接。如有需要，我随时在这里。",
}
BOT_BACK: Mapping[str, str] = {
    "en": "You're chatting with the bot again. Ask for a person any time.",
    "fr": "Vous discutez de nouveau avec l'assistant. Demandez un conseiller à tout moment.",
    "es": "Vuelve a hablar con el asistente. Pida una persona cuando quiera.",
    "zh": "您现在正在与智能助手对话，随时可以要求转人工。",
}
#: phrases that cancel a pending request for a person (matched on folded words)
CANCEL_PHRASES: Mapping[str, tuple[str, ...]] = {
    "en": (
        "never mind",
        "nevermind",
        "forget it",
        "cancel",
        "cancel that",
        "no need anymore",
        "not anymore",
        "it s fine",
        "its fine",
        "all good",
        "sorted",
        "i found it",
    ),
    "fr": (
        "laisse tomber",
        "laissez tomber",
        "c est bon",
        "annule",
        "annuler",
        "annulez",
        "pas la peine",
        "plus besoin",
        "tant pis",
        "oubliez",
        "c est regle",
    ),
    "es": (
        "olvidalo",
        "olvidelo",
        "dejalo",
        "dejelo",
        "cancelar",
        "cancela",
        "ya no",
        "no hace falta",
        "ya esta",
    ),
    "zh": ("算了", "不用了", "取消", "不需要了", "没事了"),
}
_UNITS: Mapping[str, tuple[str, str, str, str]] = {
    "en": ("a minute", "{n} minutes", "about an hour", "about {n} hours"),
    "fr": ("une minute", "{n} minutes", "environ une heure", "environ {n} heures"),
    "es": ("un minuto", "{n} minutos", "alrededor de una hora", "unas {n} horas"),
    "zh": ("1分钟", "{n}分钟", "约1小时", "约{n}小时"),
}


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    title: str


def _pick(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or texts[DEFAULT_LANGUAGE]


def wait_text(wait: timedelta, language: str) -> str:
    """A reply time the way a person says it: minutes rounded up to 5, then hours."""
    one_min, minutes, one_hour, hours = _UNITS.get(language) or _UNITS[DEFAULT_LANGUAGE]
    total = max(0, int(wait.total_seconds()))
    if total <= 60:
        return one_min
    if total < 3600:
        rounded = min(55, -(-total // 300) * 5) if total > 300 else -(-total // 60)
        return minutes.format(n=rounded)
    n = round(total / 3600)
    return one_hour if n <= 1 else hours.format(n=n)


def taking_over(language: str, typical_reply: timedelta | None) -> str:
    """ "A person takes over" with the wait expectation and how to cancel."""
    wait = (
        _pick(WAIT, language).format(wait=wait_text(typical_reply, language))
        if typical_reply is not None
        else _pick(NO_ESTIMATE, language)
    )
    sep = "" if language == "zh" else " "
    return sep.join((_pick(TAKING_OVER, language), wait, _pick(CANCEL_HINT, language)))


def offer(language: str) -> tuple[str, tuple[Button, Button]]:
    yes, no = OFFER_BUTTONS.get(language) or OFFER_BUTTONS[DEFAULT_LANGUAGE]
    return _pick(OFFER, language), (Button(OFFER_YES, yes), Button(OFFER_NO, no))


def cancelled(language: str) -> str:
    return _pick(CANCELLED, language)


def bot_back(language: str) -> str:
    return _pick(BOT_BACK, language)


def is_cancel(text: str, language: str) -> bool:
    """True when a short message withdraws the request ("never mind", "laisse tomber").
    Only short messages count: "never mind the refund, where is my order?" is a question."""
    folded = fold(text)
    tokens = words(folded)
    phrases = (*CANCEL_PHRASES.get(language, ()), *CANCEL_PHRASES[DEFAULT_LANGUAGE])
    if language == "zh":
        return len(folded.strip()) <= 8 and any(p in folded for p in CANCEL_PHRASES["zh"])
    if not tokens or len(tokens) > 6:
        return False
    hay = f" {' '.join(tokens)} "
    return any(f" {' '.join(words(fold(p)))} " in hay for p in phrases)
