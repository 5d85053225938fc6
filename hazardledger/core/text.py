"""Rules for text typed or imported by users, shared by forms, imports and sync."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# C0 controls, DEL and C1 controls. They are invisible on screen, some cannot be written to
# xlsx or XML at all (openpyxl's IllegalCharacterError), and none belongs in a name or a
# description. Multi-line text keeps tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_CHARACTERS_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The distinct control characters in ``text``, in order of appearance, each written as
    its code point (``U+0007``); empty when there are none. ``multiline`` allows tab, line
    feed and carriage return."""
    pattern = CONTROL_CHARACTERS_MULTILINE if multiline else CONTROL_CHARACTERS
    return [f"U+{ord(c):04X}" for c in dict.fromkeys(pattern.findall(text))]


def list_separator(language: str | None = None) -> str:
    """The separator of a list of words in ``language`` (default: the active one): the
    enumeration comma "、" in Chinese, ", " in English and the rest."""
    from django.utils import translation

    active = (language or translation.get_language() or "").lower()
    return "、" if active.startswith("zh") else ", "


def join_list(items: Iterable[Any], language: str | None = None) -> str:
    """``items`` as text joined with the separator of ``language`` (``list_separator``)."""
    return list_separator(language).join(str(item) for item in items)
