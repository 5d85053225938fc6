"""The campaign pages through the test client: issuing from scratch and from a template, the
progress page down the cascade, taking up, tasks (inspect, give to people, draw), the hazards
behind a figure, the spreadsheet and PDF, circulars, directive files, weekly reports, and
who gets 404 or 403."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.campaigns.models import Campaign, CampaignReport, Circular, Task
from hazardledger.campaigns.services import campaign_issue, campaign_take_up
from hazardledger.campaigns.tasks import weekly_reports
from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import hazard_data, pdf_upload
from hazardledger.inspections.models import Draw, Inspection
from hazardledger.notifications.models import Notice

from .conftest import committed, province_input, take_up_input, today

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def cascade(mines: SimpleNamespace) -> SimpleNamespace:
    """The province's campaign, taken up by Shaoguan (handing Qujiang down, which takes it
    up too), with one major hazard found at a Qujiang mine."""
    w = mines
    start, end = today() - timedelta(days=20), today() + timedelta(days=40)
    with committed():
        w.province = campaign_issue(actor=w.gd, data=province_input(start, end))
    with committed():
        w.city = campaign_take_up(
            actor=w.shaoguan, parent=w.province, data=take_up_input(w.province, "4402", ["440205"])
        )
    with committed():
        w.county = campaign_take_up(
            actor=w.qujiang, parent=w.city, data=take_up_input(w.city, "440205", [])
        )
    with committed():
        w.hazard = hazard_record(
            actor=w.e1.officer, site_id=w.pit_coal.pk, data=hazard_data(HazardGrade.MAJOR)
        )
    w.task = Task.objects.get(root=w.province, site=w.pit_coal)
    return w


def _get(client: Any, user: Any, name: str, *args: Any, **query: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(name, args=args), query)


def test_the_office_issues_a_campaign_with_a_directive_file(client, mines):
    client.force_login(mines.gd)
    start = today()
    data = {
        "title": "全省金属非金属矿山专项检查",
        "document_number": "粤安委办〔2026〕20号",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=30)).isoformat(),
        "regions": ["4402"],
        "sectors": ["mines"],
        "site_kinds": ["metal_mine"],
        "checklists": ["metal_mine"],
        "delegated": [],
        "coverage_target": "100",
        "closure_target": "90",
        "mobilisation_start": start.isoformat(),
        "mobilisation_end": (start + timedelta(days=5)).isoformat(),
        "custom_targets": "边坡监测全覆盖\n",
        "directive_text": "按照部署开展检查。",
        "directive_file": pdf_upload("通知.pdf"),
    }
    with committed():
        response = client.post(reverse("campaigns:campaign-add"), data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.directive_file.name.endswith(".pdf")
    assert campaign.custom_targets == ["边坡监测全覆盖"]
    assert campaign.phases.count() == 1
    # Not handed down: the province's own tasks, each for the lowest department.
    tasks = Task.objects.filter(root=campaign)
    assert tasks.count() == 4 and all(t.issued for t in tasks)
    download = client.get(reverse("campaigns:campaign-directive", args=[campaign.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    # Out of scope (Guangzhou's office sees no Shaoguan campaign): 404.
    other = _get(client, _gz_office(), "campaigns:campaign-directive", campaign.pk)
    assert other.status_code == 404


def _gz_office() -> Any:
    from hazardledger.accounts.choices import OrganisationKind, Role
    from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory

    org = OrganisationFactory(
        name="广州市安委办", kind=OrganisationKind.OFFICE, region_id="4401", all_sectors=True
    )
    return UserFactory(username="gz-office-x", role=Role.OFFICE, organisation=org)


def test_a_seasonal_template_makes_the_campaign_in_one_action(client, mines):
    client.force_login(mines.gd)
    with committed():
        response = client.post(
            reverse("campaigns:campaign-template"),
            {
                "template": "learn_from_case",
                "regions": ["4402", "4418"],
                "sectors": ["mines"],
                "accident": "阿拉善“2·22”露天煤矿坍塌事故",
                "starts_on": today().isoformat(),
                "hand_down": "on",
            },
        )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.template == "learn_from_case"
    assert campaign.checklist_codes == ["coal_mine", "metal_mine"]
    assert "阿拉善" in campaign.directive_text
    assert sorted(campaign.delegated.values_list("code", flat=True)) == ["4402", "4418"]
    assert campaign.phases.count() == 4
    assert (campaign.ends_on - campaign.starts_on).days == 59
    # The offices it was handed down to are told to take it up.
    notices = Notice.objects.filter(kind="campaigns.take_up")
    assert set(notices.values_list("user__username", flat=True)) == {"office-4402", "office-4418"}


def test_learn_from_one_case_needs_its_sectors(client, mines):
    client.force_login(mines.gd)
    response = client.post(
        reverse("campaigns:campaign-template"),
        {"template": "learn_from_case", "starts_on": today().isoformat()},
    )
    assert response.status_code == 200
    assert "sectors" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_the_progress_page_goes_down_the_cascade(client, cascade):
    w = cascade
    page = _get(client, w.gd, "campaigns:campaign-detail", w.province.pk)
    assert page.status_code == 200
    report = page.context["report"]
    assert {row.code for row in report.rows} == {"4402", "4418", "4409"}
    assert report.total.figures["sites"] == 11 and report.total.figures["major"] == 1
    rows = {row.code: row for row in report.rows}
    assert rows["4402"].campaign == w.city and rows["4418"].campaign is None
    assert b'data-testid="drill-region-4402"' in page.content
    down = _get(client, w.gd, "campaigns:campaign-detail", w.province.pk, at="4402")
    assert {row.code for row in down.context["report"].rows} == {"440205", "440281", "440232"}
    county = _get(client, w.qujiang, "campaigns:campaign-detail", w.county.pk)
    assert {row.code for row in county.context["report"].rows} == {"440205100", "440205101"}
    # A drill below the campaign's level is ignored; one outside it too.
    outside = _get(client, w.shaoguan, "campaigns:campaign-detail", w.city.pk, at="4418")
    assert outside.context["report"].at == "4402"
    # The county sees the province's campaign only within its own scope.
    above = _get(client, w.qujiang, "campaigns:campaign-detail", w.province.pk)
    assert above.context["report"].total.figures["sites"] == 4


def test_each_figure_drills_down_to_its_hazards(client, cascade):
    w = cascade
    response = _get(
        client, w.gd, "campaigns:campaign-hazards", w.province.pk, figure="self_major", at="4402"
    )
    assert response.status_code == 200
    assert [h.pk for h in response.context["page_obj"]] == [w.hazard.pk]
    none = _get(client, w.gd, "campaigns:campaign-hazards", w.province.pk, figure="dept_major")
    assert list(none.context["page_obj"]) == []
    # An enterprise does not see progress figures.
    assert (
        _get(client, w.e1.officer, "campaigns:campaign-hazards", w.province.pk).status_code == 403
    )


def test_the_report_as_spreadsheet_and_pdf(client, cascade):
    w = cascade
    xlsx = _get(client, w.gd, "campaigns:campaign-xlsx", w.province.pk)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Region / sector" and rows[-1][0].startswith("Total")
    assert rows[-1][2] == 11  # sites in scope
    pdf = _get(client, w.gd, "campaigns:campaign-pdf", w.province.pk, at="4402")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert _get(client, w.e1.officer, "campaigns:campaign-xlsx", w.province.pk).status_code == 403


def test_taking_up_is_for_the_regions_handed_down_once(client, cascade):
    w = cascade
    page = _get(client, w.qingyuan, "campaigns:campaign-take-up", w.province.pk)
    assert page.status_code == 200
    assert page.context["form"].initial["regions"] == ["4418"]
    # Shaoguan took it up already; Lechang was not handed the city's campaign.
    assert _get(client, w.shaoguan, "campaigns:campaign-take-up", w.province.pk).status_code == 403
    assert _get(client, w.lechang, "campaigns:campaign-take-up", w.city.pk).status_code == 403
    assert (
        _get(client, w.sg_inspector, "campaigns:campaign-take-up", w.province.pk).status_code == 403
    )
    data = {
        "title": "清远市实施方案",
        "starts_on": (w.province.starts_on - timedelta(days=1)).isoformat(),
        "ends_on": w.province.ends_on.isoformat(),
        "regions": ["4418"],
        "sectors": ["mines"],
    }
    client.force_login(w.qingyuan)
    refused = client.post(reverse("campaigns:campaign-take-up", args=[w.province.pk]), data)
    assert refused.status_code == 200 and "ends_on" in refused.context["form"].errors
    data["starts_on"] = w.province.starts_on.isoformat()
    with committed():
        done = client.post(reverse("campaigns:campaign-take-up", args=[w.province.pk]), data)
    taken = Campaign.objects.get(parent=w.province, region_id="4418")
    assert done.status_code == 302
    assert Task.objects.filter(campaign=taken, issued=True).count() == 3


def test_tasks_inspect_and_give_to_people(client, cascade):
    w = cascade
    listing = _get(client, w.qj_inspector, "campaigns:campaign-tasks", w.county.pk)
    assert listing.status_code == 200
    assert {t.site_id for t in listing.context["page_obj"]} == {
        w.pit_coal.pk, w.deep_coal.pk, w.pit_metal.pk, w.deep_metal.pk,
    }  # fmt: skip
    summary = listing.context["summary"]
    assert summary[0]["pending"] == 4
    mine = _get(client, w.qj_inspector, "campaigns:my-tasks")
    assert len(mine.context["page_obj"]) == 4
    client.force_login(w.qj_inspector)
    with committed():
        started = client.post(reverse("campaigns:task-inspect", args=[w.task.pk]))
    inspection = Inspection.objects.get(site=w.pit_coal)
    assert started["Location"] == reverse("inspections:inspection-conduct", args=[inspection.pk])
    assert inspection.kind == "campaign" and inspection.checklist.code == "coal_mine"
    # The enterprise's self-inspection from its own task.
    client.force_login(w.e1.officer)
    assert len(client.get(reverse("campaigns:my-tasks")).context["page_obj"]) == 7
    with committed():
        client.post(reverse("campaigns:task-inspect", args=[w.task.pk]))
    assert Inspection.objects.get(site=w.pit_coal, kind="self").checklist.code == "coal_mine"
    # Given to a colleague of the Qujiang bureau, who is told.
    from hazardledger.accounts.choices import Role
    from hazardledger.accounts.tests.factories import UserFactory

    colleague = UserFactory(
        username="qj-2", role=Role.INSPECTOR, organisation=w.qj_inspector.organisation
    )
    client.force_login(w.qj_inspector)
    with committed():
        given = client.post(
            reverse("campaigns:campaign-assign", args=[w.county.pk]),
            {"tasks": [w.task.pk], "users": [colleague.pk]},
        )
    assert given.status_code == 302
    assert list(w.task.assignees.all()) == [colleague]
    assert Notice.objects.filter(user=colleague, kind="campaigns.assigned").exists()
    # Another body's task cannot be given by this one.
    other = Task.objects.get(root=w.province, site=w.ruyuan_metal)
    client.post(
        reverse("campaigns:campaign-assign", args=[w.county.pk]),
        {"tasks": [other.pk], "users": [colleague.pk]},
    )
    assert not other.assignees.exists()


def test_a_draw_for_the_campaign_plans_its_inspections(client, cascade):
    w = cascade
    from hazardledger.accounts.choices import Role
    from hazardledger.accounts.tests.factories import UserFactory
    from hazardledger.inspections.draws import draw_perform

    pair = UserFactory(
        username="sg-2", role=Role.INSPECTOR, organisation=w.sg_inspector.organisation
    )
    client.force_login(w.sg_inspector)
    response = client.post(
        reverse("campaigns:campaign-draw", args=[w.city.pk]),
        {
            "size": "2",
            "inspectors": [w.sg_inspector.pk, pair.pk],
            "planned_on": (today() + timedelta(days=1)).isoformat(),
            "seed": "7",
        },
    )
    draw = Draw.objects.get()
    assert response.status_code == 302 and response["Location"] == draw.get_absolute_url()
    with committed():
        draw_perform(actor=w.sg_inspector, draw=draw)
    drawn = Task.objects.filter(root=w.province, draw=draw)
    assert drawn.count() == 2
    for task in drawn:
        assert set(task.assignees.values_list("pk", flat=True)) == {w.sg_inspector.pk, pair.pk}


def test_the_office_urges_a_lagging_region_and_it_is_told(client, cascade):
    w = cascade
    client.force_login(w.gd)
    page = client.get(reverse("campaigns:campaign-detail", args=[w.province.pk]))
    assert page.context["circular_form"] is not None
    with committed():
        response = client.post(
            reverse("campaigns:circular-add", args=[w.province.pk]),
            {
                "kind": "urging",
                "region": "4409",
                "document_number": "粤安委办督〔2026〕3号",
                "text": "请于5个工作日内部署。",
            },
        )
    circular = Circular.objects.get()
    assert response.status_code == 302 and response["Location"] == circular.get_absolute_url()
    assert circular.figures["sites"] == 1
    assert Notice.objects.filter(user=w.maoming, kind="campaigns.circular").exists()
    seen = _get(client, w.maoming, "campaigns:circular-detail", circular.pk)
    assert seen.status_code == 200 and "请于5个工作日内部署" in seen.content.decode()
    assert _get(client, w.qingyuan, "campaigns:circular-detail", circular.pk).status_code == 404
    # Only the office running the campaign sends them.
    assert _get(client, w.shaoguan, "campaigns:circular-add", w.province.pk).status_code == 403


def test_the_weekly_report_is_made_once_and_kept_for_the_levels_above(client, cascade):
    w = cascade
    with committed():
        assert weekly_reports(today=today()) == 3
        assert weekly_reports(today=today()) == 0
    report = CampaignReport.objects.get(campaign=w.city)
    for fmt in ("xlsx", "pdf"):
        got = _get(client, w.shaoguan, "campaigns:report-file", report.pk, fmt)
        assert got.status_code == 200
    assert _get(client, w.gd, "campaigns:report-file", report.pk, "pdf").status_code == 200
    # Below the issuing level, or another city: not found.
    assert _get(client, w.qujiang, "campaigns:report-file", report.pk, "pdf").status_code == 404
    assert _get(client, w.qingyuan, "campaigns:report-file", report.pk, "pdf").status_code == 404
    assert _get(client, w.shaoguan, "campaigns:report-file", report.pk, "doc").status_code == 404


def test_the_site_page_shows_its_campaigns(client, cascade):
    response = _get(client, cascade.qj_inspector, "registry:site-detail", cascade.pit_coal.pk)
    assert b'data-testid="site-campaigns"' in response.content


@pytest.mark.parametrize(
    ("who", "name", "code"),
    [
        ("e1.officer", "campaigns:campaign-detail", 200),
        ("e2.officer", "campaigns:campaign-detail", 404),
        ("qingyuan", "campaigns:campaign-detail", 404),
        ("qj_inspector", "campaigns:campaign-tasks", 200),
        ("yingde", "campaigns:campaign-tasks", 404),
        ("e1.officer", "campaigns:campaign-draw", 403),
        ("qj_inspector", "campaigns:campaign-draw", 200),
    ],
)
def test_who_sees_the_county_campaign(client, cascade, who, name, code):
    user = cascade
    for part in who.split("."):
        user = getattr(user, part)
    assert _get(client, user, name, cascade.county.pk).status_code == code
