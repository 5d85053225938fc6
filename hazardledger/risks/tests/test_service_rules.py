"""The rules the risk services enforce themselves, whatever page calls them: who may add risk
points and delete controls, the version that refuses a stale edit page, and photos written only
when the transaction commits."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from hazardledger.access.scope import ScopeViolation
from hazardledger.audit.models import AuditEvent
from hazardledger.core.errors import Conflict, NotAllowed, NotFound
from hazardledger.risks.models import ControlMeasure, RiskPoint, RiskPointPhoto
from hazardledger.risks.services import (
    ConcurrentEditError,
    control_measure_delete,
    control_measure_update,
    risk_point_assess,
    risk_point_create,
    risk_point_photo_add,
    risk_point_update,
)

from .factories import ControlMeasureFactory, RiskPointFactory

pytestmark = pytest.mark.django_db

POINT = {"name": "甲类仓库", "kind": "place", "hazard_types": ["fire"]}
CONTROL = {
    "kind": "training",
    "description": "岗前培训",
    "level": "team",
    "responsible_person": "李四",
    "responsible_phone": "",
    "check_item": "",
}
STALE = "Someone else changed this record after you opened it."


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    stream = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(stream, format="PNG")
    return SimpleUploadedFile(name, stream.getvalue(), content_type="image/png")


def _files(root):
    return [path for path in root.rglob("*") if path.is_file()]


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["inspector_a", "manager_a", "auditor"])
def test_only_the_enterprise_adds_risk_points(users, sites, persona):
    with pytest.raises(NotAllowed):
        risk_point_create(actor=getattr(users, persona), site=sites.plant_a, data=POINT)
    assert not RiskPoint.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_regulator_posting_a_risk_point_is_refused(client, users, sites):
    client.force_login(users.inspector_a)
    response = client.post(
        reverse("risks:riskpoint-add", args=[sites.plant_a.pk]),
        {"name": "监管人员代填", "kind": "place", "hazard_types": ["fire"]},
    )
    assert response.status_code == 403
    assert not RiskPoint.objects.exists()


@pytest.mark.parametrize(
    ("persona", "error"),
    [("inspector_a", NotAllowed), ("auditor", NotAllowed), ("officer_b", NotFound)],
)
def test_only_the_enterprise_deletes_its_controls(users, sites, persona, error):
    control = ControlMeasureFactory(risk_point=RiskPointFactory(site=sites.plant_a))
    with pytest.raises(error):
        control_measure_delete(actor=getattr(users, persona), control=control)
    assert ControlMeasure.objects.filter(pk=control.pk).exists()
    assert not AuditEvent.objects.exists()


def test_the_enterprise_deletes_its_control(users, sites):
    control = ControlMeasureFactory(risk_point=RiskPointFactory(site=sites.plant_a))
    control_measure_delete(actor=users.principal_a, control=control)
    assert not ControlMeasure.objects.exists()
    assert AuditEvent.objects.get().action == "risks.controlmeasure.delete"


# --- Versions -------------------------------------------------------------------------------


def test_an_edit_bumps_the_version_and_an_assessment_does_not(users, sites):
    point = RiskPointFactory(site=sites.plant_a, hazard_types=["fire"])
    risk_point_update(
        actor=users.officer_a, risk_point=point, expected_version=1, data={"name": "新名称"}
    )
    assert (point.name, point.version) == ("新名称", 2)
    risk_point_assess(
        actor=users.inspector_a, risk_point=point, method="lec", factors={"l": 6, "e": 6, "c": 7}
    )
    assert RiskPoint.objects.get(pk=point.pk).version == 2


def test_a_stale_risk_point_edit_is_a_conflict_and_writes_nothing(users, sites):
    point = RiskPointFactory(site=sites.plant_a, hazard_types=["fire"])
    risk_point_update(
        actor=users.officer_a, risk_point=point, expected_version=1, data={"name": "先保存的"}
    )
    AuditEvent.objects.all().delete()
    stale = RiskPoint.objects.get(pk=point.pk)
    with pytest.raises(ConcurrentEditError) as info:
        risk_point_update(
            actor=users.principal_a, risk_point=stale, expected_version=1, data={"name": "旧页面"}
        )
    assert isinstance(info.value, Conflict)
    point.refresh_from_db()
    assert (point.name, point.version) == ("先保存的", 2)
    assert not AuditEvent.objects.exists()


def test_a_stale_control_edit_is_a_conflict_and_writes_nothing(users, sites):
    control = ControlMeasureFactory(risk_point=RiskPointFactory(site=sites.plant_a))
    control_measure_update(
        actor=users.officer_a, control=control, expected_version=1, data={"level": "company"}
    )
    with pytest.raises(ConcurrentEditError):
        control_measure_update(
            actor=users.principal_a,
            control=ControlMeasure.objects.get(pk=control.pk),
            expected_version=1,
            data={"level": "team", "description": "旧页面"},
        )
    control.refresh_from_db()
    assert (control.level, control.version) == ("company", 2)
    assert control.description != "旧页面"


def test_a_stale_risk_point_edit_page_gets_the_conflict_and_saves_nothing(client, users, sites):
    point = RiskPointFactory(site=sites.plant_a, name="原名称", hazard_types=["fire"])
    client.force_login(users.officer_a)
    url = reverse("risks:riskpoint-edit", args=[point.pk])
    page = client.get(url)
    assert page.context["form"]["version"].value() == 1
    risk_point_update(
        actor=users.principal_a, risk_point=point, expected_version=1, data={"name": "别人先改"}
    )
    response = client.post(
        url,
        {"name": "旧页面的修改", "kind": "place", "hazard_types": ["fire"], "version": 1},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert STALE in response.content.decode()
    point.refresh_from_db()
    assert (point.name, point.version) == ("别人先改", 2)


def test_a_stale_control_edit_page_gets_the_conflict_and_saves_nothing(client, users, sites):
    control = ControlMeasureFactory(risk_point=RiskPointFactory(site=sites.plant_a))
    client.force_login(users.officer_a)
    url = reverse("risks:control-edit", args=[control.pk])
    assert client.get(url).context["form"]["version"].value() == 1
    control_measure_update(
        actor=users.principal_a, control=control, expected_version=1, data={"level": "company"}
    )
    response = client.post(url, {**CONTROL, "version": 1}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert STALE in response.content.decode()
    control.refresh_from_db()
    assert (control.level, control.kind, control.version) == ("company", control.kind, 2)
    assert control.description != "岗前培训"


def test_a_current_edit_page_saves(client, users, sites):
    point = RiskPointFactory(site=sites.plant_a, hazard_types=["fire"])
    client.force_login(users.officer_a)
    response = client.post(
        reverse("risks:riskpoint-edit", args=[point.pk]),
        {"name": "改好的", "kind": "place", "hazard_types": ["fire"], "version": 1},
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.name, point.version) == ("改好的", 2)


# --- Files on commit ------------------------------------------------------------------------


def test_a_photo_is_written_when_its_transaction_commits(
    users, sites, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    point = RiskPointFactory(site=sites.plant_a)
    with django_capture_on_commit_callbacks(execute=True):
        photo = risk_point_photo_add(actor=users.officer_a, risk_point=point, image=_png())
        assert _files(tmp_path) == []  # named at once, written only on commit
    assert _files(tmp_path) == [tmp_path / photo.image.name]


def test_a_rolled_back_photo_leaves_no_file(
    users, sites, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    point = RiskPointFactory(site=sites.plant_a)
    with django_capture_on_commit_callbacks(execute=True):
        # Another enterprise's officer: saved, then refused by the scope check.
        with pytest.raises(ScopeViolation):
            risk_point_photo_add(actor=users.officer_b, risk_point=point, image=_png())
        # A caller whose own transaction rolls back after the service succeeded.
        with pytest.raises(RuntimeError), transaction.atomic():
            risk_point_photo_add(actor=users.officer_a, risk_point=point, image=_png())
            raise RuntimeError("the caller's next step failed")
    assert not RiskPointPhoto.objects.exists()
    assert _files(tmp_path) == []
