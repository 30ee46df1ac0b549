"""One validation path for custom-field values, with refusals people understand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from automations.errors import FieldValueError, UnknownFieldError
from automations.fields import FieldValidator, to_json, validate_value
from config.fields import FieldDef, FieldsFile
from tests.automations.conftest import model_from_yaml


def spec(**data: Any) -> FieldDef:
    return FieldDef.model_validate({"name": "f", **data})


def refusal(field: FieldDef, raw: object) -> FieldValueError:
    with pytest.raises(FieldValueError) as info:
        validate_value(field, raw)
    return info.value


@pytest.mark.parametrize(
    ("raw", "value"),
    [("  hello ", "hello"), (42, "42")],
)
def test_text(raw: object, value: str) -> None:
    assert validate_value(spec(type="text"), raw) == value


def test_text_too_long_and_regex() -> None:
    error = refusal(spec(type="text", max_length=3), "hello")
    assert (error.code, error.message("en")) == ("too_long", "Please keep it under 3 characters.")
    order = spec(type="text", regex=r"^[A-Z]{2}-\d{4}$")
    assert validate_value(order, "AB-1234") == "AB-1234"
    assert refusal(order, "ab-1").message("fr") == (
        "Cela ne semble pas correct, merci de vérifier et de réessayer."
    )


@pytest.mark.parametrize(
    ("raw", "value"),
    [(12, 12), ("12", 12), ("1 200", 1200), ("2,5", 2.5), (3.0, 3), ("1\u202f000", 1000)],
)
def test_number(raw: object, value: float) -> None:
    result = validate_value(spec(type="number"), raw)
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize("raw", ["twelve", True, "nan", [1]])
def test_number_refused(raw: object) -> None:
    error = refusal(spec(type="number"), raw)
    assert error.code == "not_number"
    assert error.message("es") == "Por favor, responde con un número."


def test_number_bounds_in_the_customers_language() -> None:
    size = spec(type="number", min=1, max=500)
    assert refusal(size, 0).message("en") == "Please give a value of at least 1."
    assert refusal(size, "501").message("fr") == "Merci de donner une valeur d'au plus 500."
    assert refusal(size, 501).message("zh") == "请输入不大于 500 的值。"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (True, True),
        ("yes", True),
        ("Oui", True),
        ("sí", True),
        ("是", True),
        ("no", False),
        ("NON", False),
        (0, False),
        ("否", False),
    ],
)
def test_boolean(raw: object, value: bool) -> None:
    assert validate_value(spec(type="boolean"), raw) is value


def test_boolean_refused() -> None:
    assert refusal(spec(type="boolean"), "maybe").message("fr") == (
        "Merci de répondre par oui ou non."
    )


@pytest.mark.parametrize("raw", ["2025-03-31", "31/03/2025", "31.03.2025", date(2025, 3, 31)])
def test_date(raw: object) -> None:
    assert validate_value(spec(type="date"), raw) == date(2025, 3, 31)


def test_date_refused_and_bounded() -> None:
    assert refusal(spec(type="date"), "next week").code == "not_date"
    bounded = spec(type="date", min="2025-01-01")
    assert refusal(bounded, "2024-12-31").message("en") == (
        "Please give a value of at least 2025-01-01."
    )


def test_email_normalised_and_refused() -> None:
    email = spec(type="email")
    assert validate_value(email, " Ana.Lopez@Example.COM ") == "Ana.Lopez@example.com"
    assert refusal(email, "ana@").message("en") == (
        "Please give a valid email address, such as name@example.com."
    )
    work = spec(type="email", regex=r"@demo\.example$")
    assert refusal(work, "ana@gmail.com").code == "pattern"


def test_phone_to_e164() -> None:
    phone = spec(type="phone", default_region="FR")
    assert validate_value(phone, "06 12 34 56 78") == "+33612345678"
    assert validate_value(phone, "+44 20 7123 4567") == "+442071234567"
    assert refusal(phone, "12345").code == "not_phone"
    assert refusal(spec(type="phone"), "06 12 34 56 78").code == "not_phone"  # no region


LANGUAGE = {
    "type": "single_choice",
    "choices": [
        {"value": "en", "label": "English"},
        {"value": "fr", "label": {"en": "French", "fr": "Français"}},
    ],
}


def test_single_choice_takes_values_only() -> None:
    field = spec(**LANGUAGE)
    assert validate_value(field, "fr") == "fr"
    error = refusal(field, "French")
    assert error.code == "not_choice"
    assert error.message("en") == "Please choose one of: English, French."
    assert error.message("fr") == "Merci de choisir parmi : English, Français."


def test_multi_choice() -> None:
    field = spec(**{**LANGUAGE, "type": "multi_choice"})
    assert validate_value(field, ["fr", "en", "fr"]) == ("en", "fr")
    assert validate_value(field, "fr, en") == ("en", "fr")
    assert refusal(field, ["en", "de"]).code == "not_choice"
    limited = spec(**{**LANGUAGE, "type": "multi_choice", "max": 1})
    assert refusal(limited, ["en", "fr"]).message("en") == "Please give a value of at most 1."


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_is_refused(raw: object) -> None:
    assert refusal(spec(type="text"), raw).message("en") == "Please give an answer."


def test_operator_message_replaces_the_built_in_one() -> None:
    field = spec(
        type="text",
        regex=r"^[A-Z]{2}-\d+$",
        invalid_message={"en": "An order reference looks like AB-12345."},
    )
    error = refusal(field, "hello")
    assert error.message("en") == "An order reference looks like AB-12345."
    assert error.message("fr") == "Cela ne semble pas correct, merci de vérifier et de réessayer."
    assert str(error) == "f: An order reference looks like AB-12345."


def test_validator_by_name_and_unknown_field() -> None:
    fields = model_from_yaml(FieldsFile, "fields:\n  - name: size\n    type: number\n    min: 1\n")
    validator = FieldValidator(fields)
    assert "size" in validator
    assert "age" not in validator
    assert validator.validate("size", "3") == 3
    with pytest.raises(UnknownFieldError):
        validator.validate("age", 3)


def test_storage_form() -> None:
    assert to_json(date(2025, 1, 2)) == "2025-01-02"
    assert to_json(("en", "fr")) == ["en", "fr"]
    assert to_json(3) == 3
