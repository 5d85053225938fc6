"""Test personas shared by every app (after healthchecks' alice/bob/charlie).

Region A is Guangzhou (4401), region B is Shenzhen (4403).

- ``inspector_a``: Guangzhou emergency management, hazardous chemicals and industry & trade
- ``manager_a`` / ``manager_b``: the Guangzhou / Shenzhen safety committee offices
- ``officer_a`` / ``officer_b``: safety officers of enterprise A / enterprise B (both Guangzhou)
- ``principal_a``: enterprise A's principal
- ``grid``: a grid worker of Wushan street (五山街道, 440106001), Tianhe district
- ``auditor``: Guangzhou leadership, read-only
- ``admin``: the system administrator
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory
from hazardledger.core.env import env_bool
from hazardledger.regions.choices import DepartmentKind
from hazardledger.registry.choices import SiteKind
from hazardledger.registry.tests.factories import SiteFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# beside it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def orgs(db: None) -> SimpleNamespace:
    return SimpleNamespace(
        gz_em=OrganisationFactory(
            name="广州市应急管理局",
            kind=OrganisationKind.DEPARTMENT,
            department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
            region_id="4401",
            sectors=["hazardous_chemicals", "industry_trade"],
        ),
        gz_office=OrganisationFactory(
            name="广州市安委办", kind=OrganisationKind.OFFICE, region_id="4401", all_sectors=True
        ),
        sz_office=OrganisationFactory(
            name="深圳市安委办", kind=OrganisationKind.OFFICE, region_id="4403", all_sectors=True
        ),
        gz_leadership=OrganisationFactory(
            name="广州市人民政府",
            kind=OrganisationKind.LEADERSHIP,
            region_id="4401",
            all_sectors=True,
        ),
        wushan=OrganisationFactory(
            name="五山街道办事处",
            kind=OrganisationKind.TOWNSHIP,
            region_id="440106001",
            all_sectors=True,
        ),
        ent_a=OrganisationFactory(
            name="广州甲化工有限公司", region_id="440112", credit_code="91440101MA5ATEST1A"
        ),
        ent_b=OrganisationFactory(
            name="广州乙机械有限公司", region_id="440113", credit_code="91440101MA5ATEST2B"
        ),
        ent_c=OrganisationFactory(
            name="深圳丙电子有限公司", region_id="440305", credit_code="91440300MA5ATEST3C"
        ),
        system=OrganisationFactory(
            name="系统", kind=OrganisationKind.SYSTEM, region_id="44", all_sectors=True
        ),
    )


@pytest.fixture
def users(orgs: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(
        inspector_a=UserFactory(
            username="inspector_a", role=Role.INSPECTOR, organisation=orgs.gz_em
        ),
        manager_a=UserFactory(username="manager_a", role=Role.OFFICE, organisation=orgs.gz_office),
        manager_b=UserFactory(username="manager_b", role=Role.OFFICE, organisation=orgs.sz_office),
        officer_a=UserFactory(
            username="officer_a", role=Role.ENTERPRISE_OFFICER, organisation=orgs.ent_a
        ),
        principal_a=UserFactory(
            username="principal_a", role=Role.ENTERPRISE_PRINCIPAL, organisation=orgs.ent_a
        ),
        officer_b=UserFactory(
            username="officer_b", role=Role.ENTERPRISE_OFFICER, organisation=orgs.ent_b
        ),
        grid=UserFactory(username="grid", role=Role.GRID_WORKER, organisation=orgs.wushan),
        auditor=UserFactory(username="auditor", role=Role.LEADER, organisation=orgs.gz_leadership),
        admin=UserFactory(
            username="admin",
            role=Role.ADMINISTRATOR,
            organisation=orgs.system,
            is_staff=True,
            is_superuser=True,
        ),
    )


@pytest.fixture
def sites(orgs: SimpleNamespace) -> SimpleNamespace:
    """One site per persona's scope: A's plant, B's factory, a Shenzhen site, a house in Wushan."""
    return SimpleNamespace(
        plant_a=SiteFactory(
            name="甲化工储罐区",
            kind=SiteKind.CHEMICAL_PLANT,
            sector_id="hazardous_chemicals",
            region_id="440112001",
            organisation=orgs.ent_a,
        ),
        factory_b=SiteFactory(
            name="乙机械一车间",
            kind=SiteKind.FACTORY,
            sector_id="industry_trade",
            region_id="440113007",
            organisation=orgs.ent_b,
        ),
        shenzhen_c=SiteFactory(
            name="丙电子厂房",
            kind=SiteKind.FACTORY,
            sector_id="industry_trade",
            region_id="440305001",
            organisation=orgs.ent_c,
        ),
        house=SiteFactory(
            name="五山村自建房",
            kind=SiteKind.SELF_BUILT_HOUSE,
            sector_id="self_built_houses",
            region_id="440106001",
            attributes={"floors": 4, "house_use": "mixed"},
        ),
    )


# --- Browser tests (Playwright driving Debian's Chromium) -------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """One headless Chromium for the whole run. Missing Chromium fails under CI, skips locally."""
    if not os.path.exists(CHROMIUM):
        if env_bool("CI", False):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(request):  # type: ignore[no-untyped-def]
    """pytest-django's live server; on an in-memory SQLite database it serves one user of the
    database at a time (hazardledger/core/tests/live_server.py says why)."""
    from pytest_django.live_server_helper import LiveServer

    from hazardledger.core.tests.live_server import serialised

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    undo = serialised(server.thread)
    server.start()
    yield server
    server.stop()
    undo()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) in Chinese, with a desktop-sized window."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url  # type: ignore[attr-defined]
    yield tab
    context.close()


@pytest.fixture
def login(page):  # type: ignore[no-untyped-def]
    """``login(username)``: sign in through the real form and wait for the overview page."""

    def _login(username: str, password: str = "pw") -> None:  # noqa: S107 - test persona
        page.goto(f"{page.base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{page.base_url}/")

    return _login


@pytest.fixture
def english(settings):  # type: ignore[no-untyped-def]
    """Run a test in English: requests (no Accept-Language) and code outside requests alike.

    For tests that match messages by their English source text; pages default to Chinese.
    """
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
