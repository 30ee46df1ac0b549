"""The one validation path for custom-field values.

Surveys, rules, the agent API and channel profiles all write through :func:`validate_value`
(or :class:`FieldValidator`), so a value is normalised the same way whoever writes it
(a phone in E.164, an email with a lower-case domain, a choice as its value) and a refusal
reads the same, in the customer's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache

import phonenumbers

from automations.errors import FieldValueError, UnknownFieldError
from automations.matching import normalise
from automations.templates import render_text
from config.automation_types import text_for
from config.fields import FieldDef, FieldsFile

FieldValue = str | int | float | bool | date | tuple[str, ...]

#: built-in refusals; ``{{ ... }}`` are filled from the error's params (sandboxed)
MESSAGES: dict[str, dict[str, str]] = {
    "empty": {
        "en": "Please give an answer.",
        "fr": "Merci de donner une réponse.",
        "es": "Por favor, da una respuesta.",
        "zh": "请给出回答。",
    },
    "too_long": {
        "en": "Please keep it under {{ max }} characters.",
        "fr": "Merci de rester sous {{ max }} caractères.",
        "es": "Por favor, usa menos de {{ max }} caracteres.",
        "zh": "请不要超过 {{ max }} 个字符。",
    },
    "pattern": {
        "en": "That doesn't look right, please check and try again.",
        "fr": "Cela ne semble pas correct, merci de vérifier et de réessayer.",
        "es": "Eso no parece correcto, revísalo e inténtalo de nuevo.",
        "zh": "格式似乎不正确，请检查后重试。",
    },
    "not_number": {
        "en": "Please answer with a number.",
        "fr": "Merci de répondre par un nombre.",
        "es": "Por favor, responde con un número.",
        "zh": "请回答一个数字。",
    },
    "too_small": {
        "en": "Please give a value of at least {{ min }}.",
        "fr": "Merci de donner une valeur d'au moins {{ min }}.",
        "es": "Por favor, da un valor de al menos {{ min }}.",
        "zh": "请输入不小于 {{ min }} 的值。",
    },
    "too_large": {
        "en": "Please give a value of at most {{ max }}.",
        "fr": "Merci de donner une valeur d'au plus {{ max }}.",
        "es": "Por favor, da un valor de como máximo {{ max }}.",
        "zh": "请输入不大于 {{ max }} 的值。",
    },
    "not_boolean": {
        "en": "Please answer yes or no.",
        "fr": "Merci de répondre par oui ou non.",
        "es": "Por favor, responde sí o no.",
        "zh": "请回答是或否。",
    },
    "not_date": {
        "en": "Please give a date such as 2025-03-31 or 31/03/2025.",
        "fr": "Merci de donner une date, par exemple 31/03/2025.",
        "es": "Por favor, da una fecha como 31/03/2025.",
        "zh": "请输入日期，例如 2025-03-31。",
    },
    "not_email": {
        "en": "Please give a valid email address, such as name@example.com.",
        "fr": "Merci de donner une adresse e-mail valide, par exemple nom@exemple.fr.",
        "es": "Por favor, da un correo electrónico válido, como nombre@ejemplo.com.",
        "zh": "请输入有效的电子邮箱，例如 name@example.com。",
    },
    "not_phone": {
        "en": "Please give a valid phone number with its country code, such as +44 20 7123 4567.",
        "fr": "Merci de donner un numéro valide avec l'indicatif, par exemple +33 6 12 34 56 78.",
        "es": "Por favor, da un número válido con el prefijo del país, como +34 612 345 678.",
        "zh": "请输入带国家代码的有效电话号码，例如 +86 138 0013 8000。",
    },
    "not_choice": {
        "en": "Please choose one of: {{ choices }}.",
        "fr": "Merci de choisir parmi : {{ choices }}.",
        "es": "Por favor, elige una de estas opciones: {{ choices }}.",
        "zh": "请从以下选项中选择：{{ choices }}。",
    },
}

_TRUE = frozenset({"true", "yes", "y", "1", "oui", "si", "sí", "是", "对", "好", "ok"})
_FALSE = frozenset({"false", "no", "n", "0", "non", "否", "不", "不是"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d")
_NUMBER_CLEAN = re.compile(r"[\s\u00a0\u202f_']")


def _fail(spec: FieldDef, code: str, **params: object) -> FieldValueError:
    """Build the refusal in every language the built-ins or the operator provide."""
    messages: dict[str, str] = {}
    override = spec.invalid_message
    for language, template in MESSAGES[code].items():
        context = dict(params)
        if code == "not_choice":
            context["choices"] = ", ".join(text_for(c.label, language, "en") for c in spec.choices)
        messages[language] = render_text(template, context)
    if override is not None and code != "empty":
        if isinstance(override, str):
            messages = dict.fromkeys(messages, override)
        else:
            messages.update(override)
    return FieldValueError(spec.name, code, params, messages)


def _number(spec: FieldDef, raw: object) -> int | float:
    if isinstance(raw, bool):
        raise _fail(spec, "not_number")
    if isinstance(raw, int | float):
        number: float = raw
    elif isinstance(raw, str):
        cleaned = _NUMBER_CLEAN.sub("", raw).replace(",", ".")
        try:
            number = float(cleaned)
        except ValueError:
            raise _fail(spec, "not_number") from None
    else:
        raise _fail(spec, "not_number")
    if number != number or number in (float("inf"), float("-inf")):
        raise _fail(spec, "not_number")
    if isinstance(spec.min, float | int) and number < spec.min:
        raise _fail(spec, "too_small", min=_plain(spec.min))
    if isinstance(spec.max, float | int) and number > spec.max:
        raise _fail(spec, "too_large", max=_plain(spec.max))
    return int(number) if float(number).is_integer() else number


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def _boolean(spec: FieldDef, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = normalise(raw)
        if word in _TRUE or raw.strip() in _TRUE:
            return True
        if word in _FALSE or raw.strip() in _FALSE:
            return False
    raise _fail(spec, "not_boolean")


def _date(spec: FieldDef, raw: object) -> date:
    value: date | None = None
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    elif isinstance(raw, str):
        for fmt in _DATE_FORMATS:
            try:
                value = datetime.strptime(raw.strip(), fmt).date()
                break
            except ValueError:
                continue
    if value is None:
        raise _fail(spec, "not_date")
    if isinstance(spec.min, date) and value < spec.min:
        raise _fail(spec, "too_small", min=spec.min.isoformat())
    if isinstance(spec.max, date) and value > spec.max:
        raise _fail(spec, "too_large", max=spec.max.isoformat())
    return value


def _text(spec: FieldDef, raw: object, code: str = "pattern") -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise _fail(spec, code)
    text = str(raw).strip()
    if not text:
        raise _fail(spec, "empty")
    if len(text) > spec.max_length:
        raise _fail(spec, "too_long", max=spec.max_length)
    return text


def _check_regex(spec: FieldDef, value: str) -> str:
    if spec.regex is not None and not _regex(spec.regex).search(value):
        raise _fail(spec, "pattern")
    return value


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _email(spec: FieldDef, raw: object) -> str:
    text = _text(spec, raw, "not_email")
    if not _EMAIL.match(text):
        raise _fail(spec, "not_email")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _phone(spec: FieldDef, raw: object) -> str:
    text = _text(spec, raw, "not_phone")
    try:
        number = phonenumbers.parse(text, spec.default_region)
    except phonenumbers.NumberParseException:
        raise _fail(spec, "not_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise _fail(spec, "not_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _single(spec: FieldDef, raw: object) -> str:
    if isinstance(raw, str) and spec.choice(raw.strip()) is not None:
        return raw.strip()
    raise _fail(spec, "not_choice")


def _multi(spec: FieldDef, raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        items: list[object] = [part for part in re.split(r"[,;]", raw) if part.strip()]
    elif isinstance(raw, list | tuple | set | frozenset):
        items = list(raw)
    else:
        raise _fail(spec, "not_choice")
    values: list[str] = []
    for item in items:
        value = _single(spec, item)
        if value not in values:
            values.append(value)
    if isinstance(spec.min, float | int) and len(values) < spec.min:
        raise _fail(spec, "too_small", min=_plain(spec.min))
    if isinstance(spec.max, float | int) and len(values) > spec.max:
        raise _fail(spec, "too_large", max=_plain(spec.max))
    if not values:
        raise _fail(spec, "empty")
    # keep the operator's order, whatever order the writer used
    order = {c.value: i for i, c in enumerate(spec.choices)}
    return tuple(sorted(values, key=order.__getitem__))


def validate_value(spec: FieldDef, raw: object) -> FieldValue:
    """Normalise ``raw`` for the field or raise :class:`FieldValueError`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise _fail(spec, "empty")
    kind = spec.type
    if kind == "number":
        return _number(spec, raw)
    if kind == "boolean":
        return _boolean(spec, raw)
    if kind == "date":
        return _date(spec, raw)
    if kind == "email":
        return _check_regex(spec, _email(spec, raw))
    if kind == "phone":
        return _check_regex(spec, _phone(spec, raw))
    if kind == "single_choice":
        return _single(spec, raw)
    if kind == "multi_choice":
        return _multi(spec, raw)
    return _check_regex(spec, _text(spec, raw))


class FieldValidator:
    """The fields of one config, by name: what the hub, surveys and rules call."""

    def __init__(self, fields: FieldsFile) -> None:
        self._fields: Mapping[str, FieldDef] = {f.name: f for f in fields.fields}

    def spec(self, name: str) -> FieldDef:
        try:
            return self._fields[name]
        except KeyError:
            raise UnknownFieldError(f"unknown field '{name}'") from None

    def validate(self, name: str, raw: object) -> FieldValue:
        """Validate a write to field ``name``; unknown fields raise ``UnknownFieldError``."""
        return validate_value(self.spec(name), raw)

    def __contains__(self, name: object) -> bool:
        return name in self._fields


def to_json(value: FieldValue) -> str | int | float | bool | list[str]:
    """Storage form (JSON column): dates as ISO text, multi-choice as a list."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
