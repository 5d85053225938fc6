"""Issue 11.5: a form's labels and help texts follow the language of the request. Fields are
built once, when their form class is defined; a text formatted then (``gettext_lazy(…) % …``
gives a plain string) stays in the language the server started in."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.functional import Promise

from .test_input_rules import _project_forms


def _frozen(text: object) -> bool:
    return isinstance(text, str) and not isinstance(text, Promise) and bool(text.strip())


def test_no_form_field_text_is_formatted_once_at_start_up():
    frozen = [
        f"{cls.__module__}.{cls.__qualname__}.{name}.{attribute}: {text!r}"
        for cls in _project_forms()
        for name, field in getattr(cls, "base_fields", {}).items()
        for attribute, text in (("label", field.label), ("help_text", field.help_text))
        if _frozen(text)
    ]
    assert not frozen, "texts fixed in one language at start-up:\n" + "\n".join(frozen)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Photos (JPEG, PNG, WebP) or PDF documents, at most 10 files."),
        ("zh-hans", "照片（JPEG、PNG、WebP）或 PDF 文件，最多 10 个。"),
    ],
)
def test_the_file_field_help_is_in_the_users_language(client, users, sites, language, text):
    client.force_login(users.officer_a)
    response = client.get(
        reverse("hazards:hazard-add"), {"site": sites.plant_a.pk}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert text in response.content.decode()
