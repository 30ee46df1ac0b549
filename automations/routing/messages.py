"""What the customer is told about the wait, in their language and their time zone.

Defaults exist for en, fr, es and zh; a language without texts gets English. Times and
dates are formatted by Babel for the customer's locale ("3:00 PM", "15:00", "15:00",
"15:00") and shown in the customer's zone, so "we open at 9:00" is true where they are.
Every function takes ``now`` and returns a string: no clock, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from babel.units import format_unit

from automations.routing.eta import WaitEstimate

DEFAULT_LANGUAGE = "en"
#: below this a wait is promised in minutes, from it as a clock time
CLOCK_FROM = timedelta(minutes=60)
SOON = timedelta(minutes=2)

TEXTS: Mapping[str, Mapping[str, str]] = {
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


def text(key: str, language: str, **values: str) -> str:
    table = TEXTS.get(language) or TEXTS[DEFAULT_LANGUAGE]
    return table[key].format(**values)


def wait_message(estimate: WaitEstimate, language: str, timezone: str, now: datetime) -> str:
    """The promise for an estimate: after hours, the opening; else minutes or a time."""
    if not estimate.open_now and estimate.opens_at is not None:
        return opening_message(estimate.opens_at, language, timezone, now)
    return promise(estimate.reply_by, language, timezone, now)


def promise(reply_by: datetime, language: str, timezone: str, now: datetime) -> str:
    """ "within about N minutes" under an hour, else "by about HH:MM" (with the day when
    it is not today where the customer is)."""
    lang = _language(language)
    wait = reply_by - now
    if wait <= SOON:
        return text("soon", lang)
    if wait < CLOCK_FROM:
        minutes = _round_minutes(wait)
        return text("within", lang, minutes=str(minutes))
    zone = ZoneInfo(timezone)
    time = _time(reply_by, zone, lang)
    if reply_by.astimezone(zone).date() == now.astimezone(zone).date():
        return text("by", lang, time=time)
    return text("by_day", lang, time=time, day=_day(reply_by, zone, lang))


def opening_message(opens_at: datetime, language: str, timezone: str, now: datetime) -> str:
    """ "We open today / tomorrow / on Tue, December 29 at 9:00 AM (your time)"."""
    lang = _language(language)
    zone = ZoneInfo(timezone)
    time = _time(opens_at, zone, lang)
    days = (opens_at.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days <= 0:
        return text("closed_today", lang, time=time)
    if days == 1:
        return text("closed_tomorrow", lang, time=time)
    return text("closed_day", lang, time=time, day=_day(opens_at, zone, lang))


def back_in_message(opens_at: datetime, language: str, now: datetime) -> str:
    """ "We're back in 1 hr 20 min" (rounded up to the minute)."""
    lang = _language(language)
    return text("back_in", lang, duration=duration(opens_at - now, lang))


def callback_prompt(language: str) -> str:
    return text("callback", _language(language))


def correction_message(reply_by: datetime, language: str, timezone: str, now: datetime) -> str:
    lang = _language(language)
    return text("correction", lang, promise=promise(reply_by, lang, timezone, now))


def duration(amount: timedelta, language: str) -> str:
    """``1 hr 20 min`` / ``1 h 20 min`` / ``1小时20分钟``, rounded up to the minute."""
    minutes = max(1, math.ceil(amount.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="short", locale=language))
    if minutes:
        parts.append(format_unit(minutes, "duration-minute", length="short", locale=language))
    return _plain(("" if language == "zh" else " ").join(parts))


def _round_minutes(wait: timedelta) -> int:
    """Up to the next 5 minutes past 10 (nobody believes "within 13 minutes")."""
    minutes = math.ceil(wait.total_seconds() / 60)
    return minutes if minutes <= 10 else int(math.ceil(minutes / 5) * 5)


def _time(at: datetime, zone: ZoneInfo, language: str) -> str:
    """CLDR puts (narrow) no-break spaces in times and units; plain spaces keep an SMS in
    GSM-7 (one non-GSM character makes the whole message UCS-2, half as long)."""
    return _plain(format_time(at, "short", tzinfo=zone, locale=language))


def _day(at: datetime, zone: ZoneInfo, language: str) -> str:
    return _plain(format_skeleton("MMMMEEEEd", at, tzinfo=zone, locale=language))


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _language(language: str) -> str:
    base = language.split("-")[0].split("_")[0].lower()
    return base if base in TEXTS else DEFAULT_LANGUAGE
