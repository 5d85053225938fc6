"""The enterprise's quarterly and annual hazard statistics return: prepared from the ledger by
its officer, signed and submitted by its principal, followed by its regulators (who has and
has not filed by the due date), and reminded before the due date."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory
from hazardledger.hazards.choices import HazardAction, HazardGrade
from hazardledger.hazards.tests.factories import act, plan_approved, plan_data, record
from hazardledger.notifications.models import Notice
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.reports.choices import FilingState, ReturnStatus
from hazardledger.reports.models import StatisticsReturn
from hazardledger.reports.returns import ReturnPeriodKey, recent_periods
from hazardledger.reports.services import returns_remind

from .conftest import at, committed, pdf_text, png_data_url
from .test_reports import client_for

pytestmark = pytest.mark.django_db

Q3 = ReturnPeriodKey("quarter", 2026, 3)
BEFORE_DUE = date(2026, 10, 10)  # Q3's return is due by 15 October


@pytest.fixture
def q3_ledger(users: SimpleNamespace, sites: SimpleNamespace) -> SimpleNamespace:
    """Enterprise A's third quarter: a general hazard closed (plan of 12,000 yuan), one
    rectifying (8,000), one voided; a major hazard with its plan approved (five implementations
    in place, 50,000) and one just recorded (none in place). Enterprise B: one general hazard."""
    a, inspector = users.officer_a, users.inspector_a
    made: dict[str, Any] = {}
    with at(date(2026, 8, 10)), committed():
        made["closed"] = record(sites.plant_a, a, found_on=date(2026, 8, 3))
        act(made["closed"], HazardAction.PLAN, a, data=plan_data(date(2026, 8, 30)))
        act(made["closed"], HazardAction.SUBMIT, a)
        act(made["closed"], HazardAction.ACCEPT, a)
        made["rectifying"] = record(sites.plant_a, a, found_on=date(2026, 8, 9))
        act(
            made["rectifying"],
            HazardAction.PLAN,
            a,
            data=plan_data(date(2026, 9, 5), funds=Decimal("8000.00")),
        )
        made["voided"] = record(sites.plant_a, a, found_on=date(2026, 8, 9))
        act(made["voided"], HazardAction.VOID, inspector)
        made["major_planned"] = record(
            sites.plant_a, inspector, HazardGrade.MAJOR, found_on=date(2026, 8, 10)
        )
        plan_approved(
            made["major_planned"],
            a,
            data=plan_data(date(2026, 10, 30), funds=Decimal("50000.00")),
        )
        made["major_bare"] = record(
            sites.plant_a, inspector, HazardGrade.MAJOR, found_on=date(2026, 8, 10)
        )
        made["b_general"] = record(sites.factory_b, users.officer_b, found_on=date(2026, 8, 10))
    return SimpleNamespace(**made)


def prepare(user: Any, period: str = "2026-Q3") -> Any:
    with committed():
        return client_for(user).post(reverse("reports:return-prepare"), {"period": period})


def sign(user: Any, statistics_return: StatisticsReturn, **overrides: Any) -> Any:
    data = {
        "version": statistics_return.version,
        "principal_name": "王总",
        "confirm": "on",
        "signature_data": png_data_url(),
        **overrides,
    }
    with committed():
        return client_for(user).post(
            reverse("reports:return-sign", args=[statistics_return.pk]), data
        )


def test_due_dates_follow_the_domain_rules() -> None:
    assert ReturnPeriodKey("quarter", 2026, 3).due_on == date(2026, 10, 15)
    assert ReturnPeriodKey("quarter", 2026, 4).due_on == date(2027, 1, 15)
    assert ReturnPeriodKey("year", 2026).due_on == date(2027, 1, 31)
    assert ReturnPeriodKey.parse("2026-Q4") == ReturnPeriodKey("quarter", 2026, 4)
    assert ReturnPeriodKey.parse("2026") == ReturnPeriodKey("year", 2026)
    for text in ("2026-Q5", "2026-Q0", "1999", "20266", "２０２６", "2026-Q", "-2026", ""):
        assert ReturnPeriodKey.parse(text) is None, text
    keys = [p.key for p in recent_periods(date(2026, 11, 20))]
    assert keys == ["2026-Q3", "2026-Q2", "2026-Q1", "2025", "2025-Q4"]


def test_officer_prepares_and_principal_signs_and_submits(
    q3_ledger: SimpleNamespace, users: SimpleNamespace, settings: Any
) -> None:
    with at(BEFORE_DUE):
        listing = client_for(users.officer_a).get(reverse("reports:return-list"))
        assert b'data-period="2026-Q3"' in listing.content
        response = prepare(users.officer_a)
        statistics_return = StatisticsReturn.objects.get()
        assert response.status_code == 302
        assert response["Location"] == statistics_return.get_absolute_url()
        assert statistics_return.status == ReturnStatus.DRAFT
        assert statistics_return.due_on == date(2026, 10, 15)
        grades = {row["grade"]: row for row in statistics_return.figures["grades"]}
        assert (grades["general"]["found"], grades["general"]["rectified"]) == (2, 1)
        assert grades["general"]["rate_text"] == "50.0%"
        assert grades["general"]["funds"] == "20000.00"
        assert (grades["major"]["found"], grades["major"]["rectified"]) == (2, 0)
        assert grades["major"]["funds"] == "50000.00"
        assert (grades["all"]["found"], grades["all"]["funds"]) == (4, "70000.00")
        majors = {m["id"]: m for m in statistics_return.figures["open_major"]}
        assert majors[q3_ledger.major_planned.pk]["all_implemented"] is True
        assert not any(majors[q3_ledger.major_bare.pk]["implementations"].values())

        # The officer may not sign; the principal may.
        assert (
            client_for(users.officer_a)
            .get(reverse("reports:return-sign", args=[statistics_return.pk]))
            .status_code
            == 403
        )
        assert sign(users.officer_a, statistics_return).status_code == 403
        page = client_for(users.principal_a).get(
            reverse("reports:return-sign", args=[statistics_return.pk])
        )
        assert page.status_code == 200
        assert b"core/signature-pad.js" in page.content and b'class="signature-pad"' in page.content
        response = sign(users.principal_a, statistics_return)
        assert response.status_code == 302
        statistics_return.refresh_from_db()
        assert statistics_return.status == ReturnStatus.SUBMITTED
        assert statistics_return.principal_name == "王总"
        assert statistics_return.signed_by == users.principal_a
        assert statistics_return.signature.name.endswith(".png")
        detail = client_for(users.inspector_a).get(statistics_return.get_absolute_url())
        assert b'data-state="on_time"' in detail.content
        pdf = client_for(users.inspector_a).get(
            reverse("reports:return-pdf", args=[statistics_return.pk])
        )
    text = pdf_text(pdf.content)
    assert "事故隐患排查治理情况统计表" in text and "广州甲化工有限公司" in text
    assert "2026年第3季度" in text and "王总" in text and "70000.00" in text
    assert "落实治理经费物资" in text
    # Submitted: preparing again is refused and changes nothing.
    with at(BEFORE_DUE):
        prepare(users.officer_a)
    statistics_return.refresh_from_db()
    assert statistics_return.status == ReturnStatus.SUBMITTED and statistics_return.version == 1


def test_a_signature_on_figures_prepared_again_is_refused(
    q3_ledger: SimpleNamespace, users: SimpleNamespace
) -> None:
    with at(BEFORE_DUE):
        prepare(users.officer_a)
        opened = StatisticsReturn.objects.get()
        prepare(users.officer_a)  # the officer prepares again while the principal reads
        response = sign(users.principal_a, opened)
    assert response.status_code == 409
    opened.refresh_from_db()
    assert opened.status == ReturnStatus.DRAFT and not opened.signature and opened.version == 2


def test_the_regulators_list_shows_who_filed_by_the_due_date(
    q3_ledger: SimpleNamespace,
    users: SimpleNamespace,
    sites: SimpleNamespace,
    orgs: SimpleNamespace,
    officer_c: Any,
) -> None:
    """A on time, B late, a third Guangzhou enterprise never: the Guangzhou office's list for
    2026-Q3, filtered by state, division and name, paged and exported; Shenzhen's office sees
    none of them."""
    principal_b = UserFactory(
        username="principal_b", role=Role.ENTERPRISE_PRINCIPAL, organisation=orgs.ent_b
    )
    silent = OrganisationFactory(
        name="广州丙物流有限公司", region_id="440106", credit_code="91440101MA5ATEST9Z"
    )
    SiteFactory(
        name="丙物流仓库", region_id="440106001", sector_id="industry_trade", organisation=silent
    )
    with at(BEFORE_DUE):
        prepare(users.officer_a)
        sign(users.principal_a, StatisticsReturn.objects.get(organisation=orgs.ent_a))
    with at(date(2026, 10, 20)):
        prepare(users.officer_b)
        sign(principal_b, StatisticsReturn.objects.get(organisation=orgs.ent_b))
    url = reverse("reports:return-list")
    office = client_for(users.manager_a)
    with at(date(2026, 10, 21)):
        page = office.get(url, {"period": "2026-Q3"})
        assert page.status_code == 200
        rows = {row["enterprise"].name: row["state"] for row in page.context["rows"]}
        assert rows == {
            "广州甲化工有限公司": FilingState.ON_TIME,
            "广州乙机械有限公司": FilingState.LATE,
            "广州丙物流有限公司": FilingState.MISSING,
        }
        assert page.context["counts"] == {
            "on_time": 1,
            "late": 1,
            "awaiting_signature": 0,
            "missing": 1,
        }
        missing = office.get(url, {"period": "2026-Q3", "state": "missing"})
        assert [r["enterprise"].name for r in missing.context["rows"]] == ["广州丙物流有限公司"]
        panyu = office.get(url, {"period": "2026-Q3", "region": "440113"})
        assert [r["enterprise"].name for r in panyu.context["rows"]] == ["广州乙机械有限公司"]
        named = office.get(url, {"period": "2026-Q3", "q": "甲化工"})
        assert [r["enterprise"].name for r in named.context["rows"]] == ["广州甲化工有限公司"]
        export = office.get(reverse("reports:return-export"), {"period": "2026-Q3"})
        assert export.status_code == 200
        sheet = load_workbook(io.BytesIO(export.content)).active
        exported = {row[0]: row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert exported == {
            "广州甲化工有限公司": "按时报送",
            "广州乙机械有限公司": "逾期报送",
            "广州丙物流有限公司": "未报送",
        }
        # The Guangzhou emergency bureau covers both sectors; Shenzhen's office sees its own
        # enterprise only.
        bureau = client_for(users.inspector_a).get(url, {"period": "2026-Q3"})
        assert len(bureau.context["rows"]) == 3
        shenzhen = client_for(users.manager_b).get(url, {"period": "2026-Q3"})
        assert [r["enterprise"].name for r in shenzhen.context["rows"]] == ["深圳丙电子有限公司"]
        for statistics_return in StatisticsReturn.objects.all():
            for path in (
                statistics_return.get_absolute_url(),
                reverse("reports:return-pdf", args=[statistics_return.pk]),
                reverse("reports:return-signature", args=[statistics_return.pk]),
            ):
                assert client_for(users.manager_b).get(path).status_code == 404
                assert client_for(officer_c).get(path).status_code == 404
        own = StatisticsReturn.objects.get(organisation=orgs.ent_a)
        assert client_for(users.officer_b).get(own.get_absolute_url()).status_code == 404
        assert (
            client_for(users.manager_a)
            .get(reverse("reports:return-signature", args=[own.pk]))
            .status_code
            == 200
        )


def test_the_list_pages_through_many_enterprises(users: SimpleNamespace) -> None:
    for n in range(55):
        enterprise = OrganisationFactory(name=f"广州企业{n:02d}", region_id="440106")
        SiteFactory(region_id="440106001", organisation=enterprise)
    office = client_for(users.manager_a)
    with at(BEFORE_DUE):
        first = office.get(reverse("reports:return-list"), {"period": "2026-Q3"})
        last = office.get(reverse("reports:return-list"), {"period": "2026-Q3", "page": "999"})
    assert len(first.context["rows"]) == 50
    assert len(last.context["rows"]) == 5 and last.context["page_obj"].number == 2


def test_enterprises_are_reminded_once_before_the_due_date(
    q3_ledger: SimpleNamespace, users: SimpleNamespace, orgs: SimpleNamespace
) -> None:
    with at(BEFORE_DUE - timedelta(days=10)), committed():
        assert returns_remind() == 0  # 15 October is more than a week away
    with at(BEFORE_DUE):
        prepare(users.officer_b)
        sign(
            UserFactory(
                username="principal_b", role=Role.ENTERPRISE_PRINCIPAL, organisation=orgs.ent_b
            ),
            StatisticsReturn.objects.get(organisation=orgs.ent_b),
        )
        with committed():
            reminded = returns_remind()
        with committed():
            again = returns_remind()
    assert again == 0
    notices = Notice.objects.filter(kind="reports.statistics_due")
    # Enterprise A (and C, which runs a Shenzhen site) are reminded; B has filed.
    assert {n.user.username for n in notices} >= {"officer_a", "principal_a"}
    assert not notices.filter(user__organisation=orgs.ent_b).exists()
    assert reminded == StatisticsReturn.objects.filter(reminded_on=BEFORE_DUE).count()
    notice = notices.get(user=users.officer_a)
    assert notice.url == reverse("reports:return-detail", args=[notice.object_id])
    with at(BEFORE_DUE):
        page = client_for(users.officer_a).get(reverse("notifications:notice-list"))
    assert "2026年第3季度隐患排查治理情况统计表应于2026-10-15前报送" in page.content.decode()


@pytest.mark.parametrize(
    "period",
    ["2026-Q5", "99999999999999999999", "2026-Q3\x00", "=cmd|'/C calc'!A0", "2026-Q3" * 10, ""],
)
def test_hostile_prepare_requests_are_refused(
    users: SimpleNamespace, sites: SimpleNamespace, period: str
) -> None:
    with at(BEFORE_DUE):
        response = prepare(users.officer_a, period)
    assert 400 <= response.status_code < 500
    assert not StatisticsReturn.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"version": "99999999999999999999999"},
        {"version": "-1"},
        {"principal_name": "王总\x07"},
        {"principal_name": ""},
        {"signature_data": "data:image/png;base64,not-base64!"},
        {"signature_data": "data:text/html;base64,PHNjcmlwdD4="},
        {"signature_data": "javascript:alert(1)"},
        {"signature_data": "data:image/png;base64," + "A" * 800_001},
        {"signature_data": ""},
        {"confirm": ""},
    ],
)
def test_hostile_signatures_are_refused_and_change_nothing(
    q3_ledger: SimpleNamespace, users: SimpleNamespace, overrides: dict[str, Any]
) -> None:
    with at(BEFORE_DUE):
        prepare(users.officer_a)
        statistics_return = StatisticsReturn.objects.get()
        response = sign(users.principal_a, statistics_return, **overrides)
    assert 400 <= response.status_code < 500
    statistics_return.refresh_from_db()
    assert statistics_return.status == ReturnStatus.DRAFT and not statistics_return.signature


@pytest.mark.parametrize(
    "query",
    [
        {"period": "2026-Q9"},
        {"period": "2026-Q3", "state": "everything"},
        {"period": "2026-Q3", "region": "4403"},
        {"period": "2026-Q3", "region": "4401\x00"},
        {"period": "2026-Q3", "q": "甲\x1b化工"},
        {"period": "2026-Q3", "q": "x" * 101},
    ],
)
def test_hostile_list_filters_answer_400(users: SimpleNamespace, query: dict[str, str]) -> None:
    with at(BEFORE_DUE):
        office = client_for(users.manager_a)
        assert office.get(reverse("reports:return-list"), query).status_code == 400
        assert office.get(reverse("reports:return-export"), query).status_code == 400


def test_who_may_do_what_with_returns(users: SimpleNamespace, sites: SimpleNamespace) -> None:
    """Regulators do not prepare; an enterprise does not see the regulators' list or export."""
    with at(BEFORE_DUE):
        assert prepare(users.manager_a).status_code == 403
        assert client_for(users.officer_a).get(reverse("reports:return-export")).status_code == 403
        worker = UserFactory(
            username="worker_a",
            role=Role.ENTERPRISE_WORKER,
            organisation=users.officer_a.organisation,
        )
        assert client_for(worker).get(reverse("reports:return-list")).status_code == 403
        assert client_for(users.officer_a).get(reverse("reports:return-list")).status_code == 200
    assert not StatisticsReturn.objects.exists()
    assert users.officer_a.organisation.kind == OrganisationKind.ENTERPRISE
