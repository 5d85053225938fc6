"""Every URL of the project × every persona × an object in scope and one out of scope.

The answer each persona gets to a GET is written by hand in ``MATRIX``, one row per URL name
(the admin and ``i18n/`` aside). A URL pattern without a row fails
``test_every_url_pattern_has_a_row``, so a new page cannot ship without someone deciding who
may open it. ``access/tests/test_no_direct_queries.py`` checks the same rule in the source.

Columns, in ``PERSONAS`` order: anonymous, then conftest.py's users.

Codes: ``L`` a redirect to the login page; ``302`` a redirect elsewhere; ``200``; ``403`` (in
scope, not allowed); ``404`` (out of scope, or no such object); ``405`` (a GET on a POST-only
URL). ``a/b`` is the answer for the Guangzhou object / the Shenzhen object; one code when both
agree (and for URLs without an object).

The objects (``Objects``), built on first use through the apps' own services:

- Guangzhou (``gz``): enterprise A's tank farm in Huangpu (hazardous chemicals), a hazard its
  safety officer recorded with a photo, a quick report, an inspection in progress and a submitted
  one with a failed item (a photo, signatures, a draft hazard), Guangzhou's inspector's draw,
  a risk point with a control and a photo;
- Shenzhen (``sz``): the same around enterprise C's factory (industry and trade), recorded by its
  own safety officer and inspected by the Shenzhen office;
- on each side, a notice about the hazard told to the side's safety officer (notifications are
  each user's own: nobody else, the administrator included, opens it).

Remember who sees what: inspector_a covers Guangzhou in hazardous chemicals and industry and
trade; manager_a and manager_b are the Guangzhou and Shenzhen offices (all sectors);
officer_a and principal_a are enterprise A; officer_b is another Guangzhou enterprise (sees
neither object); grid is a Tianhe street (neither object is under it); auditor is Guangzhou's
leadership (read-only); admin sees everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from functools import cached_property
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory
from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.services import hazard_record, quick_report_create
from hazardledger.hazards.tests.factories import hazard_data, png_upload
from hazardledger.inspections.checklists import checklists_load_shipped
from hazardledger.inspections.draws import draw_seal
from hazardledger.inspections.models import Checklist, HazardDraft, ItemPhoto
from hazardledger.inspections.services import hazard_draft_confirm, inspection_plan
from hazardledger.inspections.sync import inspection_sync
from hazardledger.inspections.tests.conftest import sync_document
from hazardledger.notifications.models import Notice
from hazardledger.regions.choices import DepartmentKind
from hazardledger.risks.services import risk_point_photo_add
from hazardledger.risks.tests.factories import ControlMeasureFactory, RiskPointFactory
from hazardledger.supervision.services.listings import ListingProposal, listing_create
from hazardledger.supervision.services.orders import (
    OrderHazard,
    hazard_order_basis,
    order_issue,
    signature_from_bytes,
)

PERSONAS = (
    "anonymous",
    "inspector_a",
    "manager_a",
    "manager_b",
    "officer_a",
    "principal_a",
    "officer_b",
    "grid",
    "auditor",
    "admin",
)
SIDES = ("gz", "sz")
EXCLUDED_PREFIXES = ("admin/", "i18n/")


class Ref:
    """An object of the fixture set named in the table: ``O.hazard`` is its pk,
    ``O.inspection.uuid`` its ``uuid``."""

    def __init__(self, name: str, attr: str = "pk") -> None:
        self.name = name
        self.attr = attr

    def __getattr__(self, attr: str) -> Ref:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return Ref(self.name, attr)

    def resolve(self, objects: Objects) -> Any:
        return getattr(getattr(objects, self.name), self.attr)


class _Names:
    def __getattr__(self, name: str) -> Ref:
        if name.startswith("_"):
            raise AttributeError(name)
        return Ref(name)


O = _Names()  # noqa: E741 - reads as "object" in the table

NO_ARGS: dict[str, Any] = {}

# fmt: off
MATRIX: dict[str, tuple[dict[str, Any], str]] = {
    # --- The overview and the account pages ---------------------------------------------------
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "home": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    # --- Dashboards (issue 15, reporting): a division's figures for those whose scope covers
    # it (the site's township on each side; the maps, for Guangzhou); enterprises see only
    # their own dashboard, whose charts are theirs alone.
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "reporting:dashboard": ({"region": O.site.region_id},
        "L       200/404 200/404 404/200 404     404     404     404     200/404 200"),
    "reporting:dashboard-charts": ({"region": O.site.region_id},
        "L       200/404 200/404 404/200 404     404     404     404     200/404 200"),
    "reporting:dashboard-map": ({"region": "4401"},
        "L       200     200     404     404     404     404     404     200     200"),
    "reporting:enterprise-charts": (NO_ARGS,
        "L       404     404     404     200     200     200     404     404     404"),
    "accounts:login": (NO_ARGS,
        "200     302     302     302     302     302     302     302     302     302"),
    "accounts:logout": (NO_ARGS,
        "405     405     405     405     405     405     405     405     405     405"),
    "accounts:password-change": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "accounts:password-change-done": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    # --- Sites (registry) ---------------------------------------------------------------------
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "registry:site-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "registry:site-add": (NO_ARGS,
        "L       200     200     200     403     403     403     200     403     200"),
    "registry:site-export": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "registry:site-import": (NO_ARGS,
        "L       200     200     200     403     403     403     403     403     200"),
    "registry:site-import-template": (NO_ARGS,
        "L       200     200     200     403     403     403     403     403     200"),
    # Issue 11 (H11b): confirming an import preview is a POST.
    "registry:site-import-confirm": (NO_ARGS,
        "405     405     405     405     405     405     405     405     405     405"),
    "registry:organisation-options": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "registry:site-detail": ({"pk": O.site},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "registry:site-edit": ({"pk": O.site},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     403/404 200"),
    "registry:site-qr": ({"pk": O.site},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    # --- Hazards and quick reports ------------------------------------------------------------
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "hazards:hazard-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "hazards:hazard-add": (NO_ARGS,
        "L       200     200     200     200     200     200     200     403     200"),
    "hazards:hazard-export": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "hazards:hazard-queue": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "hazards:hazard-duplicates": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "hazards:hazard-detail": ({"pk": O.hazard},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "hazards:hazard-act": ({"pk": O.hazard, "action": "plan"},
        "405     405     405     405     405     405     405     405     405     405"),
    "hazards:evidence-file": ({"pk": O.evidence},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "hazards:evidence-thumbnail": ({"pk": O.evidence},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "hazards:report-add": (NO_ARGS,
        "L       403     403     403     200     200     200     200     403     200"),
    "hazards:report-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "hazards:report-detail": ({"pk": O.report},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "hazards:report-accept": ({"pk": O.report},
        "405     405     405     405     405     405     405     405     405     405"),
    "hazards:report-reject": ({"pk": O.report},
        "405     405     405     405     405     405     405     405     405     405"),
    # --- Inspections, drafts, re-checks, checklists and draws ---------------------------------
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "inspections:inspection-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "inspections:inspection-start": ({"site_pk": O.site},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     403/404 200"),
    "inspections:site-qr": ({"site_pk": O.site},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "inspections:inspection-sync": ({"uuid": O.inspection.uuid},
        "405     405     405     405     405     405     405     405     405     405"),
    "inspections:inspection-detail": ({"pk": O.submitted},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "inspections:inspection-begin": ({"pk": O.inspection},
        "405     405     405     405     405     405     405     405     405     405"),
    "inspections:inspection-conduct": ({"pk": O.inspection},
        "L       200/404 200/404 404/200 403/404 403/404 404     404     403/404 200"),
    "inspections:inspection-record": ({"pk": O.submitted},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "inspections:inspection-signature": ({"pk": O.submitted, "which": "inspector"},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "inspections:recheck-decide": ({"pk": O.inspection, "hazard_pk": O.hazard},
        "405     405     405     405     405     405     405     405     405     405"),
    "inspections:recheck-finish": ({"pk": O.inspection},
        "405     405     405     405     405     405     405     405     405     405"),
    "inspections:draft-confirm": ({"pk": O.draft},
        "L       200/404 200/404 404/200 403/404 403/404 404     404     403/404 200"),
    "inspections:draft-dismiss": ({"pk": O.draft},
        "405     405     405     405     405     405     405     405     405     405"),
    "inspections:photo-file": ({"pk": O.photo},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "inspections:checklist-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "inspections:checklist-upload": (NO_ARGS,
        "L       403     403     403     403     403     403     403     403     200"),
    "inspections:checklist-detail": ({"pk": O.checklist},
        "L       200     200     200     200     200     200     200     200     200"),
    "inspections:checklist-download": ({"pk": O.checklist},
        "L       200     200     200     200     200     200     200     200     200"),
    "inspections:draw-list": (NO_ARGS,
        "L       200     200     200     403     403     403     200     200     200"),
    "inspections:draw-add": (NO_ARGS,
        "L       200     200     200     403     403     403     403     403     200"),
    "inspections:draw-detail": ({"pk": O.draw},
        "L       200/404 200/404 404/200 404     404     404     404     200/404 200"),
    "inspections:draw-perform": ({"pk": O.draw},
        "405     405     405     405     405     405     405     405     405     405"),
    "inspections:draw-rerun": ({"pk": O.draw},
        "L       200/404 200/404 404/200 404     404     404     404     200/404 200"),
    # --- Risks --------------------------------------------------------------------------------
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "risks:riskpoint-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "risks:riskpoint-export": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "risks:calculator": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "risks:risk-counts": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "risks:inspection-due-list": (NO_ARGS,
        "L       200     200     200     403     403     403     200     200     200"),
    "risks:site-risk-list": ({"site_pk": O.site},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "risks:riskpoint-add": ({"site_pk": O.site},
        "L       403/404 403/404 404/403 200/404 200/404 404     404     403/404 200"),
    "risks:site-inspection-record": ({"site_pk": O.site},
        "405     405     405     405     405     405     405     405     405     405"),
    "risks:riskpoint-detail": ({"pk": O.risk_point},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "risks:riskpoint-edit": ({"pk": O.risk_point},
        "L       403/404 403/404 404/403 200/404 200/404 404     404     403/404 200"),
    "risks:riskpoint-assess": ({"pk": O.risk_point},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     403/404 200"),
    "risks:riskpoint-card": ({"pk": O.risk_point},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "risks:photo-add": ({"pk": O.risk_point},
        "L       403/404 403/404 404/403 200/404 200/404 404     404     403/404 200"),
    "risks:control-add": ({"point_pk": O.risk_point},
        "L       403/404 403/404 404/403 200/404 200/404 404     404     403/404 200"),
    "risks:control-edit": ({"pk": O.control},
        "L       403/404 403/404 404/403 200/404 200/404 404     404     403/404 200"),
    "risks:control-delete": ({"pk": O.control},
        "405     405     405     405     405     405     405     405     405     405"),
    "risks:photo-file": ({"pk": O.risk_photo},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    # --- Notifications: each user's own; the notice is the side's safety officer's -----------
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "notifications:notice-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "notifications:notice-bell": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "notifications:notice-read-all": (NO_ARGS,
        "405     405     405     405     405     405     405     405     405     405"),
    "notifications:notice-preferences": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "notifications:notice-open": ({"pk": O.notice},
        "L       404     404     404     302/404 404     404     404     404     404"),
    "notifications:notice-read": ({"pk": O.notice},
        "405     405     405     405     405     405     405     405     405     405"),
    # --- Supervision listings: the side's office listed a major hazard of the side's enterprise
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "supervision:listing-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "supervision:listing-export": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "supervision:listing-detail": ({"pk": O.listing},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "supervision:listing-confirm": ({"pk": O.listing},
        "405     405     405     405     405     405     405     405     405     405"),
    "supervision:listing-refuse": ({"pk": O.listing},
        "405     405     405     405     405     405     405     405     405     405"),
    "supervision:listing-delist": ({"pk": O.listing},
        "405     405     405     405     405     405     405     405     405     405"),
    "supervision:listing-propose": ({"hazard_pk": O.listing.hazard_id},
        "L       200/404 200/404 404/200 403/404 403/404 404     404     403/404 200"),
    # --- Rectification orders: the side's inspector issued one from the submitted inspection
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "supervision:order-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "supervision:order-issue": ({"inspection_pk": O.submitted},
        "L       200/404 403/404 404/403 403/404 403/404 404     404     403/404 200"),
    "supervision:order-detail": ({"pk": O.order},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "supervision:order-pdf": ({"pk": O.order},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "supervision:order-signature": ({"pk": O.order},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    # --- Signed checkpoints (issue 10): each side's county instance's checkpoint, imported ---
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "integrity:checkpoint-list": (NO_ARGS,
        "L       403     200     200     403     403     403     403     403     200"),
    "integrity:checkpoint-create": (NO_ARGS,
        "405     405     405     405     405     405     405     405     405     405"),
    "integrity:checkpoint-import": (NO_ARGS,
        "L       403     200     200     403     403     403     403     403     200"),
    "integrity:checkpoint-detail": ({"pk": O.checkpoint},
        "L       404     200/404 404/200 404     404     404     404     404     200"),
    "integrity:checkpoint-export": ({"pk": O.checkpoint},
        "L       404     200/404 404/200 404     404     404     404     404     200"),
    # --- Campaigns (issue 16): the side's office issued a campaign for its city in the site's
    # sector (with a directive file), sent an urging letter to the site's county, and the
    # weekly report was made; the task is the site's
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "campaigns:campaign-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "campaigns:campaign-add": (NO_ARGS,
        "L       403     200     200     403     403     403     403     403     200"),
    "campaigns:campaign-template": (NO_ARGS,
        "L       403     200     200     403     403     403     403     403     200"),
    "campaigns:my-tasks": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "campaigns:task-inspect": ({"pk": O.task},
        "405     405     405     405     405     405     405     405     405     405"),
    "campaigns:campaign-detail": ({"pk": O.campaign},
        "L       200/404 200/404 404/200 200/404 200/404 404     200/404 200/404 200"),
    "campaigns:campaign-directive": ({"pk": O.campaign},
        "L       200/404 200/404 404/200 200/404 200/404 404     200/404 200/404 200"),
    "campaigns:campaign-take-up": ({"pk": O.campaign},
        "L       403/404 403/404 404/403 403/404 403/404 404     403/404 403/404 403"),
    "campaigns:campaign-tasks": ({"pk": O.campaign},
        "L       200/404 200/404 404/200 200/404 200/404 404     200/404 200/404 200"),
    "campaigns:campaign-assign": ({"pk": O.campaign},
        "405     405     405     405     405     405     405     405     405     405"),
    "campaigns:campaign-draw": ({"pk": O.campaign},
        "L       200/404 200/404 404/200 403/404 403/404 404     403/404 403/404 200"),
    "campaigns:campaign-hazards": ({"pk": O.campaign},
        "L       200/404 200/404 404/200 403/404 403/404 404     200/404 200/404 200"),
    "campaigns:campaign-xlsx": ({"pk": O.campaign},
        "L       200/404 200/404 404/200 403/404 403/404 404     200/404 200/404 200"),
    "campaigns:campaign-pdf": ({"pk": O.campaign},
        "L       200/404 200/404 404/200 403/404 403/404 404     200/404 200/404 200"),
    "campaigns:circular-add": ({"pk": O.campaign},
        "L       403/404 200/404 404/200 403/404 403/404 404     403/404 403/404 200"),
    "campaigns:circular-detail": ({"pk": O.circular},
        "L       404     200/404 404/200 404     404     404     404     200/404 200"),
    "campaigns:report-file": ({"pk": O.campaign_report, "fmt": "pdf"},
        "L       404     200/404 404/200 404     404     404     404     200/404 200"),
    # --- The chain of responsibility (issue 14): the side's city's entry for the site's sector;
    # urging and ordering enforcement are POSTs from the hazard page
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "responsibility:entry-list": (NO_ARGS,
        "L       200     200     200     403     403     403     200     200     200"),
    "responsibility:entry-add": (NO_ARGS,
        "L       403     200     200     403     403     403     403     403     200"),
    "responsibility:entry-edit": ({"pk": O.entry},
        "L       403/404 200/404 404/200 404     404     404     404     403/404 200"),
    "responsibility:entry-delete": ({"pk": O.entry},
        "405     405     405     405     405     405     405     405     405     405"),
    "responsibility:entry-export": (NO_ARGS,
        "L       200     200     200     403     403     403     200     200     200"),
    "responsibility:entry-import": (NO_ARGS,
        "L       403     200     200     403     403     403     403     403     200"),
    "responsibility:entry-import-template": (NO_ARGS,
        "L       403     200     200     403     403     403     403     403     200"),
    "responsibility:accountability": (NO_ARGS,
        "L       403     200     200     403     403     403     403     200     200"),
    "responsibility:accountability-export": (NO_ARGS,
        "L       403     200     200     403     403     403     403     200     200"),
    "responsibility:hazard-urge": ({"hazard_pk": O.hazard},
        "405     405     405     405     405     405     405     405     405     405"),
    "responsibility:hazard-decide": ({"hazard_pk": O.hazard},
        "405     405     405     405     405     405     405     405     405     405"),
    # --- Reports (issue 15, H15b): a report the side's office asked for, and the side's
    # enterprise's statistics return for the last quarter, prepared and signed ---------------
    #    anon    insp_a  mgr_a   mgr_b   off_a   prin_a  off_b   grid    auditor admin
    "reports:report-list": (NO_ARGS,
        "L       200     200     200     403     403     403     200     200     200"),
    "reports:report-add": (NO_ARGS,
        "405     405     405     405     405     405     405     405     405     405"),
    "reports:report-detail": ({"pk": O.generated_report},
        "L       404     200/404 404/200 404     404     404     404     404     200"),
    "reports:report-pdf": ({"pk": O.generated_report},
        "L       404     200/404 404/200 404     404     404     404     404     200"),
    "reports:report-xlsx": ({"pk": O.generated_report},
        "L       404     200/404 404/200 404     404     404     404     404     200"),
    "reports:ranking": (NO_ARGS,
        "L       200     200     200     403     403     403     200     200     200"),
    "reports:ranking-xlsx": (NO_ARGS,
        "L       200     200     200     403     403     403     200     200     200"),
    "reports:ranking-pdf": (NO_ARGS,
        "L       200     200     200     403     403     403     200     200     200"),
    "reports:return-list": (NO_ARGS,
        "L       200     200     200     200     200     200     200     200     200"),
    "reports:return-export": (NO_ARGS,
        "L       200     200     200     403     403     403     200     200     200"),
    "reports:return-prepare": (NO_ARGS,
        "405     405     405     405     405     405     405     405     405     405"),
    "reports:return-detail": ({"pk": O.statistics_return},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "reports:return-sign": ({"pk": O.statistics_return},
        "L       403/404 403/404 404/403 403/404 302/404 404     404     403/404 403"),
    "reports:return-pdf": ({"pk": O.statistics_return},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
    "reports:return-signature": ({"pk": O.statistics_return},
        "L       200/404 200/404 404/200 200/404 200/404 404     404     200/404 200"),
}
# fmt: on


# --- the URL patterns -------------------------------------------------------------------------


def url_names(
    patterns: list[Any] | None = None, namespace: str = "", prefix: str = ""
) -> Iterator[str]:
    """The full names (``namespace:name``) of every URL pattern, the excluded prefixes aside."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"the URL pattern {route!r} has no name"
            yield namespace + entry.name


def test_every_url_pattern_has_a_row() -> None:
    names = set(url_names())
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert not missing, "URLs without a row in MATRIX (decide who may open them): " + ", ".join(
        missing
    )
    assert not stale, "Rows of MATRIX for URLs that no longer exist: " + ", ".join(stale)


# --- the objects ------------------------------------------------------------------------------


def _committed() -> Any:
    """Run what the services leave for the commit (files written, outbox handled): a test's
    transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


class Objects:
    """The objects of one side, built on first use, so that each row builds only what its URL
    names. ``people`` are the users who act for the side."""

    def __init__(self, *, site: Any, people: SimpleNamespace, checklist: str, fail: str) -> None:
        self.site = site
        self.people = people
        self.checklist_code = checklist
        self.fail_item = fail

    @cached_property
    def checklist(self) -> Checklist:
        if not Checklist.objects.exists():
            checklists_load_shipped()
        return Checklist.objects.get(code=self.checklist_code, is_current=True)

    @cached_property
    def hazard(self) -> Any:
        with _committed():
            return hazard_record(
                actor=self.people.officer,
                site_id=self.site.pk,
                data=hazard_data(),
                files=[png_upload()],
            )

    @cached_property
    def evidence(self) -> Any:
        return self.hazard.evidence.order_by("pk").first()

    @cached_property
    def report(self) -> Any:
        with _committed():
            return quick_report_create(
                actor=self.people.officer,
                site_id=self.site.pk,
                description="消防通道堵塞",
                files=[png_upload()],
            )

    def _inspection(self) -> Any:
        return inspection_plan(
            actor=self.people.inspector,
            site=self.site,
            kind="routine",
            checklist=self.checklist,
            planned_on=timezone.localdate(),
            start=True,
        )

    @cached_property
    def inspection(self) -> Any:
        """A regulator's inspection in progress."""
        with _committed():
            return self._inspection()

    @cached_property
    def submitted(self) -> Any:
        """A submitted inspection with one failed item: a photo, signatures, a draft."""
        with _committed():
            inspection = self._inspection()
            inspection_sync(
                actor=self.people.inspector,
                inspection=inspection,
                document=sync_document(inspection, fail={self.fail_item: "不合格"}),
            )
        inspection.refresh_from_db()
        return inspection

    @cached_property
    def photo(self) -> ItemPhoto:
        return ItemPhoto.objects.filter(result__inspection=self.submitted).earliest("pk")

    @cached_property
    def draft(self) -> HazardDraft:
        return HazardDraft.objects.get(inspection=self.submitted)

    @cached_property
    def draw(self) -> Any:
        with _committed():
            return draw_seal(
                actor=self.people.drawer,
                title="双随机抽查",
                regions=[self.site.region_id[:4]],
                sectors=[self.site.sector_id],
                site_kinds=[],
                size=1,
                inspector_ids=[u.pk for u in self.people.draw_inspectors],
                planned_on=timezone.localdate() + timedelta(days=1),
                seed=7,
            )

    @cached_property
    def notice(self) -> Notice:
        """A notice about the side's hazard, told to the side's safety officer."""
        return Notice.objects.create(
            user=self.people.officer,
            kind="hazards.recorded_by_inspection",
            object_type="hazards.hazard",
            object_id=str(self.hazard.pk),
            region_code=self.hazard.region_id,
            url=self.hazard.get_absolute_url(),
        )

    @cached_property
    def listing(self) -> Any:
        """A major hazard of the side's enterprise, listed for supervision by the side's
        office."""
        with _committed():
            hazard = hazard_record(
                actor=self.people.officer,
                site_id=self.site.pk,
                data=hazard_data(HazardGrade.MAJOR),
            )
            return listing_create(
                actor=self.people.office,
                hazard=hazard,
                proposal=ListingProposal(
                    required_by=timezone.localdate() + timedelta(days=60),
                    stop="part",
                    officials=({"name": "王明", "post": "副市长"},),
                    grounds="重大事故隐患",
                ),
                document_number="安委办督〔2026〕1号",
            )

    @cached_property
    def order(self) -> Any:
        """A rectification order the side's issuing inspector made from the submitted
        inspection, naming the hazard its failed item became."""
        draft = self.draft
        data = {"interim_measures": ["warnings_posted"]} if draft.grade == "major" else {}
        with _committed():
            hazard = hazard_draft_confirm(actor=self.people.inspector, draft=draft, data=data)
            return order_issue(
                inspection=self.submitted,
                actor=self.people.issuer,
                hazards=[
                    OrderHazard(
                        hazard=hazard,
                        basis=hazard_order_basis(hazard) or "《安全生产法》第三十八条",
                        deadline=timezone.localdate() + timedelta(days=30),
                    )
                ],
                place=self.site.name,
                completion_report="整改完成后书面报告",
                representative="王五",
                signature=signature_from_bytes(png_upload().read()),
                issued_on=timezone.localdate(),
            )

    @cached_property
    def checkpoint(self) -> Any:
        """A checkpoint of the side's city instance, as the province holds it (issue 10)."""
        from hazardledger.integrity.tests.factories import imported_checkpoint

        code = self.site.region_id[:4]
        return imported_checkpoint(region_code=code, instance=f"city-{code}")

    @cached_property
    def entry(self) -> Any:
        """The side's city's entry on the responsibility list for the site's sector (issue 14)."""
        from hazardledger.responsibility.models import ResponsibilityEntry, ResponsibleOfficial

        made = ResponsibilityEntry.objects.create(
            region_id=self.site.region_id[:4], sector_id=self.site.sector_id
        )
        ResponsibleOfficial.objects.create(
            entry=made, side="government", name="王明", post="副市长", phone="020-80000001"
        )
        return made

    @cached_property
    def risk_point(self) -> Any:
        return RiskPointFactory(site=self.site)

    @cached_property
    def control(self) -> Any:
        return ControlMeasureFactory(risk_point=self.risk_point)

    @cached_property
    def risk_photo(self) -> Any:
        with _committed():
            return risk_point_photo_add(
                actor=self.people.officer, risk_point=self.risk_point, image=png_upload()
            )

    # --- campaigns (issue 16) ---------------------------------------------------------------

    @cached_property
    def campaign(self) -> Any:
        """The side's office's campaign for its city in the site's sector, with a directive."""
        from hazardledger.campaigns.services import CampaignInput, campaign_issue
        from hazardledger.hazards.tests.factories import pdf_upload

        today = timezone.localdate()
        with _committed():
            return campaign_issue(
                actor=self.people.office,
                data=CampaignInput(
                    title="专项整治",
                    starts_on=today - timedelta(days=5),
                    ends_on=today + timedelta(days=30),
                    regions=[self.site.region_id[:4]],
                    sectors=[self.site.sector_id],
                    directive_file=pdf_upload(),
                ),
            )

    @cached_property
    def task(self) -> Any:
        from hazardledger.campaigns.models import Task

        return Task.objects.get(root=self.campaign, site=self.site)

    @cached_property
    def circular(self) -> Any:
        """An urging letter from the side's office to the site's county."""
        from hazardledger.campaigns.services import circular_send

        with _committed():
            return circular_send(
                actor=self.people.office,
                campaign=self.campaign,
                kind="urging",
                region=self.site.region_id[:6],
                text="请加快检查进度",
            )

    @cached_property
    def campaign_report(self) -> Any:
        from hazardledger.campaigns.tasks import campaign_report_make

        with _committed():
            return campaign_report_make(campaign=self.campaign, as_of=timezone.localdate())

    # --- reports (issue 15, H15b) -----------------------------------------------------------

    @cached_property
    def generated_report(self) -> Any:
        """A monthly report the side's office asked for, made (its files stand in for the
        worker's: the matrix checks who may fetch them, not what they hold)."""
        from django.core.files.base import ContentFile

        from hazardledger.reports.periods import period_containing
        from hazardledger.reports.services import report_request

        report = report_request(
            actor=self.people.office,
            kind="monthly",
            period=period_containing("month", timezone.localdate()),
        )
        report.pdf.save("r.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        report.xlsx.save("r.xlsx", ContentFile(b"PK\x03\x04"), save=False)
        report.status = "done"
        report.save()
        return report

    @cached_property
    def statistics_return(self) -> Any:
        """The side's enterprise's return for the last quarter, prepared by its officer and
        signed by its principal."""
        from hazardledger.accounts.models import User
        from hazardledger.reports.periods import period_containing
        from hazardledger.reports.returns import ReturnPeriodKey
        from hazardledger.reports.services import (
            return_prepare,
            return_submit,
            signature_from_bytes,
        )

        quarter = period_containing("quarter", timezone.localdate()).previous()
        key = ReturnPeriodKey("quarter", quarter.year, quarter.number)
        principal = User.objects.filter(
            organisation_id=self.site.organisation_id, role=Role.ENTERPRISE_PRINCIPAL
        ).first() or UserFactory(
            username=f"principal_{self.site.pk}",
            role=Role.ENTERPRISE_PRINCIPAL,
            organisation_id=self.site.organisation_id,
        )
        with _committed():
            prepared = return_prepare(actor=self.people.officer, key=key)
            return return_submit(
                actor=principal,
                statistics_return=prepared,
                version=prepared.version,
                principal_name="王总",
                signature=signature_from_bytes(png_upload().read()),
            )


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def objects(users: SimpleNamespace, sites: SimpleNamespace, orgs: SimpleNamespace) -> Any:
    """Both sides' objects. Shenzhen's enterprise and inspectors are helpers, not personas."""
    gz_colleague = UserFactory(
        username="gz_colleague", role=Role.INSPECTOR, organisation=orgs.gz_em
    )
    sz_em = OrganisationFactory(
        name="深圳市应急管理局",
        kind=OrganisationKind.DEPARTMENT,
        department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
        region_id="4403",
        sectors=["hazardous_chemicals", "industry_trade"],
        order_prefix="深应急责改",
    )
    sz_inspectors = [
        UserFactory(username=f"sz_inspector_{n}", role=Role.INSPECTOR, organisation=sz_em)
        for n in (1, 2)
    ]
    # Who issues orders: a bureau with a number prefix, inspectors with enforcement IDs.
    orgs.gz_em.order_prefix = "穗应急责改"
    orgs.gz_em.save(update_fields=["order_prefix"])
    for inspector in [users.inspector_a, users.manager_b, *sz_inspectors]:
        inspector.enforcement_id = f"ZF{inspector.pk:06d}"
        inspector.save(update_fields=["enforcement_id"])
    officer_c = UserFactory(
        username="officer_c", role=Role.ENTERPRISE_OFFICER, organisation=orgs.ent_c
    )
    return {
        "gz": Objects(
            site=sites.plant_a,
            people=SimpleNamespace(
                officer=users.officer_a,
                inspector=users.inspector_a,
                office=users.manager_a,
                issuer=users.inspector_a,
                drawer=users.inspector_a,
                draw_inspectors=[users.inspector_a, gz_colleague],
            ),
            checklist="hazardous_chemicals",
            fail="hc-12",
        ),
        "sz": Objects(
            site=sites.shenzhen_c,
            people=SimpleNamespace(
                officer=officer_c,
                inspector=users.manager_b,
                office=users.manager_b,
                issuer=sz_inspectors[0],
                drawer=sz_inspectors[0],
                draw_inspectors=sz_inspectors,
            ),
            checklist="industry_trade",
            fail="it-01",
        ),
    }


# --- the answers ------------------------------------------------------------------------------


def _code(response: Any) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return "L"
    return str(response.status_code)


CELL = re.compile(r"^(L|[1-5]\d\d)(/(L|[1-5]\d\d))?$")


def _cells(text: str) -> list[str]:
    cells = text.split()
    assert len(cells) == len(PERSONAS), f"{len(cells)} cells for {len(PERSONAS)} personas"
    return cells


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_row_is_well_formed(name: str) -> None:
    args, text = MATRIX[name]
    cells = _cells(text)
    assert all(CELL.match(cell) for cell in cells), cells
    assert args or not any("/" in cell for cell in cells), "two answers for a URL without object"
    assert all(isinstance(v, Ref | str) for v in args.values())


def observed_row(name: str, users: SimpleNamespace, objects: dict[str, Objects]) -> list[str]:
    """What each persona gets for a GET of ``name``, in the table's notation."""
    args = MATRIX[name][0]
    sides = SIDES if args else SIDES[:1]
    urls = [
        reverse(
            name,
            kwargs={k: v.resolve(objects[s]) if isinstance(v, Ref) else v for k, v in args.items()},
        )
        for s in sides
    ]
    row = []
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        if persona != "anonymous":
            client.force_login(getattr(users, persona))
        codes = [_code(client.get(url)) for url in urls]
        row.append(codes[0] if len(set(codes)) == 1 else "/".join(codes))
    return row


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_persona_gets_what_the_table_says(
    name: str, users: SimpleNamespace, objects: dict[str, Objects]
) -> None:
    expected = _cells(MATRIX[name][1])
    observed = observed_row(name, users, objects)
    wrong = [
        f"{persona}: expected {want}, got {got}"
        for persona, want, got in zip(PERSONAS, expected, observed, strict=True)
        if want != got
    ]
    assert not wrong, (
        f"{name}:\n  "
        + "\n  ".join(wrong)
        + "\n  observed row: "
        + " ".join(f"{cell:<7}" for cell in observed)
    )
