"""Issue 11.5: the risk notice card keeps every word inside its frame, in English as in Chinese,
the hotline line included, and joins lists the way each language does.

The PDF is read back with poppler's ``pdftotext -bbox`` (every word with its box, in points).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from hazardledger.risks.cards import notice_card_pdf
from hazardledger.risks.choices import ControlKind, ControlLevel

from .factories import ControlMeasureFactory, RiskPointFactory

pytestmark = pytest.mark.django_db

A4_WIDTH_PT = 595.28
MARGIN_PT = 14 / 25.4 * 72  # the card's page margin, 14 mm
FRAME_RIGHT = A4_WIDTH_PT - MARGIN_PT


def _words(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float]]:
    """``(word, xMin, xMax)`` of every word of the PDF."""
    tool = shutil.which("pdftotext")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is not installed")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(  # noqa: S603 - a fixed program on our own file
        [tool, "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [
        (word, float(x_min), float(x_max))
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            html,
        )
    ]


@pytest.fixture
def point(sites):
    site = sites.plant_a
    site.contact_phone = "020-88886666"
    site.save(update_fields=["contact_phone"])
    point = RiskPointFactory(
        site=site,
        name="Tank farm No. 1 loading and unloading area",
        emergency_phone="13800138000",
        consequences="Fire and explosion; poisoning of the people working nearby",
    )
    ControlMeasureFactory(
        risk_point=point,
        description="Flammable gas detectors at the loading arm, checked every quarter",
        level=ControlLevel.WORKSHOP,
        responsible_person="Zhang Gongcheng",
        responsible_phone="13790342193",
    )
    ControlMeasureFactory(
        risk_point=point,
        kind=ControlKind.EMERGENCY,
        description="Close the emergency shut-off valve and call the fire brigade",
        responsible_person="Chen Lingwei",
        responsible_phone="18049470663",
    )
    return point


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_word_of_the_card_stays_inside_its_frame(point, tmp_path, language):
    with translation.override(language):
        words = _words(notice_card_pdf(risk_point=point), tmp_path)
    assert words
    outside = [(word, x_max) for word, _x_min, x_max in words if x_max > FRAME_RIGHT + 0.5]
    assert outside == []
    # The hotline line is there in full: every number, the last one included.
    texts = [word for word, _x_min, _x_max in words]
    for number in ("13800138000", "020-88886666", "119", "120", "110", "12350"):
        assert number in texts


@pytest.mark.parametrize(
    ("language", "types"), [("en", "Fire, Other explosion"), ("zh-hans", "火灾、其他爆炸")]
)
def test_the_card_joins_hazard_types_as_the_language_does(point, language, types):
    from hazardledger.risks.cards import notice_card_html

    with translation.override(language):
        html = notice_card_html(risk_point=point)
    assert f"<td>{types}</td>" in html
