"""Model of ``fields.yaml``: the typed custom fields of a contact.

Only the shape is checked here; what a value must look like is enforced by
``automations.fields`` so surveys, rules, the agent API and channel profiles share one path.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.automation_types import LocalText, Name, valid_regex
from config.validation import StrictModel

FieldType = Literal[
    "text", "number", "boolean", "date", "email", "phone", "single_choice", "multi_choice"
]
CHOICE_TYPES = frozenset({"single_choice", "multi_choice"})
_REGEX_TYPES = frozenset({"text", "email", "phone"})
_RANGE_TYPES = frozenset({"number", "date", "multi_choice"})


class Choice(StrictModel):
    """One allowed value; ``label`` is what customers see and type, ``aliases`` more
    spellings a customer may type (e.g. ``anglais`` for English)."""

    value: str = Field(min_length=1, max_length=64)
    label: LocalText
    aliases: tuple[str, ...] = ()


class FieldDef(StrictModel):
    name: Name
    type: FieldType
    label: LocalText = ""
    description: str = ""
    choices: tuple[Choice, ...] = ()
    regex: str | None = None
    #: numbers: the value; dates: the day; multi_choice: how many choices
    min: float | date | None = None
    max: float | date | None = None
    max_length: int = Field(default=500, ge=1, le=10_000)
    #: phones written without a country code are read in this region (ISO 3166, e.g. FR)
    default_region: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    #: replaces the built-in refusal message, per language
    invalid_message: LocalText | None = None

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        return valid_regex(value)

    @model_validator(mode="after")
    def _options_fit_type(self) -> FieldDef:
        if self.type in CHOICE_TYPES and not self.choices:
            raise ValueError(f"a {self.type} field needs 'choices'")
        if self.choices and self.type not in CHOICE_TYPES:
            raise ValueError(
                f"'choices' only apply to single_choice and multi_choice, not {self.type}"
            )
        if self.regex is not None and self.type not in _REGEX_TYPES:
            raise ValueError(f"'regex' only applies to text, email and phone, not {self.type}")
        for bound in (self.min, self.max):
            if bound is None:
                continue
            if self.type not in _RANGE_TYPES:
                raise ValueError(
                    f"'min'/'max' only apply to number, date and multi_choice, not {self.type}"
                )
            if (self.type == "date") != isinstance(bound, date):
                kind = "dates (YYYY-MM-DD)" if self.type == "date" else "numbers"
                raise ValueError(f"'min'/'max' of a {self.type} field must be {kind}")
        if self.min is not None and self.max is not None and self.min > self.max:  # type: ignore[operator]
            raise ValueError("'min' is greater than 'max'")
        values = [c.value for c in self.choices]
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"duplicate choice value(s): {', '.join(duplicates)}")
        return self

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


class FieldsFile(StrictModel):
    fields: tuple[FieldDef, ...] = ()

    def get(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)
