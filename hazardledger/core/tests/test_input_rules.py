"""The input rules every form applies (``core.forms.InputGuardMixin``): no control characters
in text, integers within 64 bits; ``parse_id`` for ids read from a query string; and a check
that every form of the project carries the rules, so a new form cannot forget them."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils import translation

import hazardledger
from hazardledger.core.forms import (
    BIGINT_MAX,
    BIGINT_MIN,
    ControlCharacterValidator,
    InputGuardMixin,
    StyledFormMixin,
    parse_id,
)

pytestmark = pytest.mark.usefixtures("english")


class SampleForm(StyledFormMixin, forms.Form):
    name = forms.CharField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)
    email = forms.EmailField(required=False)
    password = forms.CharField(required=False, widget=forms.PasswordInput)
    count = forms.IntegerField(required=False)
    small = forms.IntegerField(required=False, min_value=0, max_value=10)
    amount = forms.DecimalField(required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["added_later"] = forms.CharField(required=False)


def _errors(**data):  # type: ignore[no-untyped-def]
    form = SampleForm(data)
    form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    "text", ["\x00", "a\x01b", "\x07", "a\x1bb", "a\tb", "a\nb", "a\rb", "a\x7fb", "a\x85b", "\x9f"]
)
def test_a_single_line_field_refuses_every_control_character(text):
    assert "name" in _errors(name=text)
    assert "added_later" in _errors(added_later=text)  # fields a form adds in __init__, too


@pytest.mark.parametrize("text", ["a\tb", "a\r\nb", "第一行\n\t第二行"])
def test_a_multi_line_field_keeps_tabs_and_line_breaks(text):
    form = SampleForm({"note": text})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["note"] == text


@pytest.mark.parametrize("text", ["a\x00b", "a\x0bb", "a\x0cb", "a\x1fb", "a\x7fb", "a\x80b"])
def test_a_multi_line_field_refuses_the_other_control_characters(text):
    assert "note" in _errors(note=text)


@pytest.mark.parametrize(
    "text", ["甲化工储罐区", "No. 5 (A-B)", "五山路\u00a01号", "储罐 ⚠️ 🔥", "Ünïcödé ©"]
)
def test_ordinary_text_passes(text):
    form = SampleForm({"name": text, "note": text})
    assert form.is_valid(), form.errors


def test_the_message_names_the_characters_once_each():
    assert _errors(name="a\x01b\x1bc\x01d")["name"] == [
        "This text contains invisible control characters (U+0001, U+001B). Remove them."
    ]


def test_the_message_is_in_the_users_language():
    with translation.override("zh-hans"):
        assert _errors(name="a\x07")["name"] == [
            "此处文字含有不可见的控制字符（U+0007），请删除后重试。"
        ]


def test_a_null_character_gets_one_message_not_two():
    assert _errors(name="a\x00b")["name"] == [
        "This text contains invisible control characters (U+0000). Remove them."
    ]


def test_other_text_fields_and_not_passwords():
    assert "email" in _errors(email="a\x07@example.com")
    assert "password" not in _errors(password="pa\x07ss")


def test_the_rules_are_added_once_however_often_a_form_is_validated():
    form = SampleForm({"name": "x"})
    form.full_clean()
    form.full_clean()
    validators = form.fields["name"].validators
    assert sum(isinstance(v, ControlCharacterValidator) for v in validators) == 1
    assert len(form.fields["count"].validators) == 2


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (str(BIGINT_MAX), True),
        (str(BIGINT_MIN), True),
        (str(BIGINT_MAX + 1), False),
        (str(BIGINT_MIN - 1), False),
        ("9" * 40, False),
    ],
)
def test_an_integer_field_stays_within_64_bits(value, valid):
    assert ("count" not in _errors(count=value)) is valid


def test_tighter_bounds_of_a_field_are_kept():
    assert "small" in _errors(small="11")
    assert "small" not in _errors(small="10")
    assert "amount" not in _errors(amount="1e30")  # decimals are not ids


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        (str(BIGINT_MAX), BIGINT_MAX),
        (str(BIGINT_MAX + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-5", None),
        ("²", None),
        ("1e400", None),
        ("12abc", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


# --- every form of the project applies the rules ----------------------------------------------

# Login and password forms take any character a password may contain.
PASSWORD_FORMS = (AuthenticationForm, PasswordChangeForm, SetPasswordForm)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def _project_forms() -> list[type]:
    """Every form class defined in the project's modules (tests, migrations and management
    commands aside), after importing all of them."""
    for module in pkgutil.walk_packages(hazardledger.__path__, "hazardledger."):
        parts = module.name.split(".")
        if {"tests", "migrations", "management"} & set(parts):
            continue
        importlib.import_module(module.name)
    return sorted(
        (
            cls
            for cls in _subclasses(forms.BaseForm)
            if cls.__module__.startswith("hazardledger.")
            and ".tests" not in cls.__module__
            and not issubclass(cls, PASSWORD_FORMS)
        ),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def test_every_form_of_the_project_applies_the_input_rules():
    missing = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _project_forms()
        if not issubclass(cls, InputGuardMixin)
    ]
    assert not missing, "forms without InputGuardMixin (use StyledFormMixin):\n" + "\n".join(
        missing
    )


def test_the_check_finds_the_forms():
    names = {cls.__name__ for cls in _project_forms()}
    assert {"SiteForm", "HazardForm", "QuickReportForm", "RiskPointForm", "DrawForm"} <= names
