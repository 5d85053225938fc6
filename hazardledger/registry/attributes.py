"""Kind-specific site attributes: parsing and display, shared by the form and the importer."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from hazardledger.core.text import join_list

from .choices import ATTRIBUTES_BY_KIND, AttributeSpec


class AttributeValueError(ValueError):
    """A value that does not fit its attribute; the message is for the user."""


def attribute_specs(kind: str) -> tuple[AttributeSpec, ...]:
    """The attributes a site of ``kind`` carries (empty for kinds with none)."""
    return ATTRIBUTES_BY_KIND.get(kind, ())


@cache
def choice_lookup(choices: Any) -> dict[str, str]:
    """Map every accepted spelling of a choice (code, Chinese and English label, lower case) to
    its code; the same for every language, so it is built once per choice set."""
    lookup: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                lookup[str(label).lower()] = value
    for value, _label in choices.choices:
        lookup[value] = value
    return lookup


def choice_value(choices: Any, text: str) -> str | None:
    """Match ``text`` to a choice by its code, its Chinese label or its English label."""
    return choice_lookup(choices).get(text.strip().lower())


def attribute_parse(spec: AttributeSpec, raw: Any) -> Any:
    """Turn one raw value (form text or spreadsheet cell) into the stored JSON value.

    Returns None for a blank value. Raises ``AttributeValueError`` with a translated message when
    the value is not of the attribute's type or outside its range.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if spec.type == "choice":
        assert spec.choices is not None
        value = choice_value(spec.choices, str(raw))
        if value is None:
            options = join_list(label for _value, label in spec.choices.choices)
            raise AttributeValueError(
                _("“%(value)s” is not one of: %(options)s") % {"value": raw, "options": options}
            )
        return value
    if spec.type == "text":
        return str(raw).strip()[:100]
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise AttributeValueError(_("“%(value)s” is not a number") % {"value": raw}) from exc
    if spec.type == "int":
        if number != number.to_integral_value():
            raise AttributeValueError(_("“%(value)s” is not a whole number") % {"value": raw})
        result: Any = int(number)
    else:
        result = float(number)
    if spec.min_value is not None and number < Decimal(str(spec.min_value)):
        raise AttributeValueError(_("must be at least %(min)s") % {"min": spec.min_value})
    if spec.max_value is not None and number > Decimal(str(spec.max_value)):
        raise AttributeValueError(_("must be at most %(max)s") % {"max": spec.max_value})
    return result


def attribute_text(spec: AttributeSpec, value: Any) -> Any:
    """A stored value as shown to people: a choice code becomes its label."""
    if spec.choices is not None:
        return str(dict(spec.choices.choices).get(value, value))
    return value


def attribute_display(kind: str, attributes: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs for the detail page, choice codes shown as their labels."""
    return [
        (str(spec.label), str(attribute_text(spec, attributes[spec.name])))
        for spec in attribute_specs(kind)
        if attributes.get(spec.name) is not None
    ]


# Attributes that are columns of the site rather than entries of ``Site.attributes``.
COLUMN_ATTRIBUTES = frozenset({"mine_type"})


def site_attribute(site: Any, name: str) -> Any:
    """The value of the site's attribute ``name``: a column (``mine_type``) or an entry of its
    kind-specific attributes; None when it has none (blank counts as none)."""
    if name in COLUMN_ATTRIBUTES:
        value = getattr(site, name, "")
    else:
        value = (getattr(site, "attributes", None) or {}).get(name)
    return None if value in ("", None) else value


def condition_choices() -> dict[str, tuple[str, ...]]:
    """The site attributes a checklist item may depend on, each with its accepted values:
    the mine type and every choice-typed kind-specific attribute."""
    from .choices import MineType

    found: dict[str, tuple[str, ...]] = {"mine_type": tuple(MineType.values)}
    for specs in ATTRIBUTES_BY_KIND.values():
        for spec in specs:
            if spec.choices is not None:
                found[spec.name] = tuple(spec.choices.values)
    return found
