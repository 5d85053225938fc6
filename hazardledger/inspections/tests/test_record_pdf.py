"""Issue 11.6: the inspection record PDF. A typical record (the hazardous chemicals checklist,
two failed items with notes and photos, both recorded as hazards, two signatures) fits on three
pages; the signatures never stand alone on a page; the grade column keeps "重大隐患" / "Major
hazard" on one line; every font is the sans-serif CJK font, the page counter's included.

Read back with poppler (``pdftotext``, ``pdfinfo``, ``pdffonts``), as a person would see it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from hazardledger.inspections.services import hazard_draft_confirm

from .test_services import MEASURES, _draft, _submitted

pytestmark = pytest.mark.django_db

# The failed items: the first two make the typical record; more push the signatures to where a
# page break used to leave them alone (with 6 in English, 8 in Chinese, before issue 11).
CODES = ["hc-12", "hc-g01", "hc-03", "hc-g02", "hc-05", "hc-g03", "hc-g04", "hc-g05"]
SIGNATURE = {"en": "Inspector's signature", "zh-hans": "检查人员签名"}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} (poppler-utils) is not installed")
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603


def _record(client, users, sites, checklists, tmp_path: Path, failures: int, language: str):
    codes = CODES[:failures]
    fail = {code: f"现场发现问题：{code} 不符合要求，需要整改并复查" for code in codes}
    inspection = _submitted(
        users.inspector_a, sites.plant_a, checklists["hazardous_chemicals"], fail=fail
    )
    for code in codes:
        hazard_draft_confirm(
            actor=users.inspector_a,
            draft=_draft(inspection, code),
            data={"interim_measures": MEASURES},
        )
    client.force_login(users.inspector_a)
    response = client.get(
        reverse("inspections:inspection-record", args=[inspection.pk]),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    path = tmp_path / f"record-{failures}-{language}.pdf"
    path.write_bytes(response.getvalue())
    return path


def _pages(path: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", _run(_tool("pdfinfo"), str(path))).group(1))


def _page_text(path: Path, page: int) -> str:
    return _run(_tool("pdftotext"), "-layout", "-f", str(page), "-l", str(page), str(path), "-")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_typical_record_fits_on_three_pages_in_one_font(
    client, users, sites, checklists, tmp_path, language
):
    path = _record(client, users, sites, checklists, tmp_path, 2, language)
    assert _pages(path) <= 3
    fonts = _run(_tool("pdffonts"), str(path)).splitlines()[2:]
    names = [line.split()[0] for line in fonts if line.strip()]
    assert names and all("Noto-Sans-CJK-SC" in name for name in names), names
    last = _pages(path)
    assert re.search(rf"\b{last}\s*/\s*{last}\b", _page_text(path, last))


@pytest.mark.parametrize(
    ("language", "failures", "grades"),
    [("zh-hans", 4, ("重大隐患", "一般隐患")), ("en", 2, ("Major hazard", "General hazard"))],
)
def test_the_grade_column_keeps_each_grade_on_one_line(
    client, users, sites, checklists, tmp_path, language, failures, grades
):
    path = _record(client, users, sites, checklists, tmp_path, failures, language)
    text = "\n".join(_page_text(path, page) for page in range(1, _pages(path) + 1))
    # Each hazard's row starts with its number and its whole grade, on one line.
    pattern = re.compile(rf"^\s*\d+\s+({'|'.join(grades)})(\s|$)", re.MULTILINE)
    assert len(pattern.findall(text)) == failures


@pytest.mark.parametrize(("language", "failures"), [("en", 6), ("zh-hans", 8), ("zh-hans", 2)])
def test_the_signatures_never_stand_alone_on_a_page(
    client, users, sites, checklists, tmp_path, language, failures
):
    path = _record(client, users, sites, checklists, tmp_path, failures, language)
    for page in range(1, _pages(path) + 1):
        lines = _page_text(path, page).splitlines()
        at = next((i for i, line in enumerate(lines) if SIGNATURE[language] in line), None)
        if at is None:
            continue
        # Above the signatures on their page: at least one numbered row (an item or a hazard).
        assert any(re.match(r"^\s*\d+\s", line) for line in lines[:at]), lines
        break
    else:
        pytest.fail("no page has the signatures")
