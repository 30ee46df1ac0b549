"""Default texts of what customers are told about the wait (routing), per language.

Kept in config because operators override them in ``teams.yaml`` (``messages:``) and
``hub check`` validates the overrides against them: known keys, only the placeholders a
key provides, and a text in every language hub.yaml configures (defaults exist for en,
fr, es and zh).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

DEFAULT_LANGUAGE = "en"

DEFAULT_TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "soon": "A person will reply in a moment.",
        "within": "A person will reply within about {minutes} minutes.",
        "by": "A person will reply by about {time}.",
        "by_day": "A person will reply by about {time} on {day}.",
        "closed_today": "We're closed right now. We open today at {time} (your time).",
        "closed_tomorrow": "We're closed right now. We open tomorrow at {time} (your time).",
        "closed_day": "We're closed right now. We open on {day} at {time} (your time).",
        "back_in": "We're back in {duration}.",
        "callback": "Leave your email address or phone number and we'll get back to you "
        "as soon as we open.",
        "correction": "Sorry, this is taking longer than we said. {promise}",
    },
    "fr": {
        "soon": "Une personne va vous répondre dans un instant.",
        "within": "Une personne vous répondra d'ici {minutes} minutes environ.",
        "by": "Une personne vous répondra vers {time}.",
        "by_day": "Une personne vous répondra vers {time}, {day}.",
        "closed_today": "Nous sommes fermés pour le moment. Nous ouvrons aujourd'hui à {time} "
        "(votre heure).",
        "closed_tomorrow": "Nous sommes fermés pour le moment. Nous ouvrons demain à {time} "
        "(votre heure).",
        "closed_day": "Nous sommes fermés pour le moment. Nous ouvrons le {day} à {time} "
        "(votre heure).",
        "back_in": "Nous revenons dans {duration}.",
        "callback": "Laissez-nous votre adresse e-mail ou votre numéro de téléphone : nous "
        "vous recontacterons dès l'ouverture.",
        "correction": "Désolés, c'est plus long que prévu. {promise}",
    },
    "es": {
        "soon": "Una persona le responderá en un momento.",
        "within": "Una persona le responderá en unos {minutes} minutos.",
        "by": "Una persona le responderá hacia las {time}.",
        "by_day": "Una persona le responderá hacia las {time} del {day}.",
        "closed_today": "Ahora estamos cerrados. Abrimos hoy a las {time} (su hora).",
        "closed_tomorrow": "Ahora estamos cerrados. Abrimos mañana a las {time} (su hora).",
        "closed_day": "Ahora estamos cerrados. Abrimos el {day} a las {time} (su hora).",
        "back_in": "Volvemos en {duration}.",
        "callback": "Déjenos su correo electrónico o su número de teléfono y le "
        "contactaremos en cuanto abramos.",
        "correction": "Lo sentimos, está tardando más de lo previsto. {promise}",
    },
    "zh": {
        "soon": "客服人员马上就会回复您。",
        "within": "客服人员将在大约 {minutes} 分钟内回复您。",
        "by": "客服人员将在 {time} 左右回复您。",
        "by_day": "客服人员将在 {day} {time} 左右回复您。",
        "closed_today": "我们现在已下班，今天 {time}（您当地时间）开始营业。",
        "closed_tomorrow": "我们现在已下班，明天 {time}（您当地时间）开始营业。",
        "closed_day": "我们现在已下班，{day} {time}（您当地时间）开始营业。",
        "back_in": "我们将在 {duration} 后回来。",
        "callback": "请留下您的电子邮箱或电话号码，我们开门后会尽快联系您。",
        "correction": "抱歉，等待时间比预计的要长。{promise}",
    },
}

#: the placeholders each text may use
PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "soon": frozenset(),
    "within": frozenset({"minutes"}),
    "by": frozenset({"time"}),
    "by_day": frozenset({"time", "day"}),
    "closed_today": frozenset({"time"}),
    "closed_tomorrow": frozenset({"time"}),
    "closed_day": frozenset({"time", "day"}),
    "back_in": frozenset({"duration"}),
    "callback": frozenset(),
    "correction": frozenset({"promise"}),
}
KEYS = tuple(PLACEHOLDERS)


def placeholders(text: str) -> set[str]:
    """Names in ``{...}``; raises ValueError on a malformed brace."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
