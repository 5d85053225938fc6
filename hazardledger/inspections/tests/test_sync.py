"""The field sync protocol: one document per inspection, idempotent, conflicts refused."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hazardledger.access.scope import ScopeViolation
from hazardledger.audit.models import AuditEvent
from hazardledger.hazards.tests.images import png_claiming_data_url
from hazardledger.inspections.choices import InspectionStatus
from hazardledger.inspections.models import HazardDraft, Inspection, ItemPhoto, ItemResult
from hazardledger.inspections.services import inspection_plan
from hazardledger.inspections.sync import SyncConflict, inspection_sync

from .conftest import committed, png_data_url, sync_document

# Messages are matched by their English source text.
pytestmark = pytest.mark.usefixtures("english")

FAIL = {"hc-12": "2号罐区可燃气体报警器缺失", "hc-g01": "罐区入口警示标志褪色"}


@pytest.fixture
def inspection(checklists, users, sites):
    return inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="routine",
        checklist=checklists["hazardous_chemicals"],
        planned_on=date.today(),
        start=True,
    )


def _counts():
    return (
        Inspection.objects.count(),
        ItemResult.objects.count(),
        ItemPhoto.objects.count(),
        HazardDraft.objects.count(),
    )


def test_a_submission_writes_results_photos_signatures_and_drafts(inspection, users):
    document = sync_document(inspection, fail=FAIL)
    result = inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    inspection.refresh_from_db()
    assert not result.replayed
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.results.count() == inspection.checklist.items.count()
    assert inspection.inspector_signature and inspection.site_signature
    assert str(inspection.latitude) == "23.100000"
    drafts = {d.result.item.code: d for d in inspection.drafts.all()}
    assert set(drafts) == set(FAIL)
    assert drafts["hc-12"].checklist_grade == "major" and drafts["hc-12"].clause == "hc-12"
    assert drafts["hc-g01"].checklist_grade == "general" and drafts["hc-g01"].clause == ""
    assert ItemPhoto.objects.filter(result__inspection=inspection).count() == 2
    assert AuditEvent.objects.filter(action="inspections.inspection.submit").count() == 1


def test_a_retry_of_the_same_document_creates_nothing_twice(inspection, users):
    document = sync_document(inspection, fail=FAIL)
    inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    before = _counts()
    again = inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    # Same content sent again from another attempt (a new submission id) is a replay too.
    other_attempt = {**document, "submission": str(uuid.uuid4())}
    third = inspection_sync(actor=users.inspector_a, inspection=inspection, document=other_attempt)
    assert again.replayed and third.replayed
    assert _counts() == before


def test_different_content_after_submission_is_a_conflict(inspection, users):
    inspection_sync(
        actor=users.inspector_a,
        inspection=inspection,
        document=sync_document(inspection, fail=FAIL),
    )
    before = _counts()
    with pytest.raises(SyncConflict):
        inspection_sync(
            actor=users.inspector_a, inspection=inspection, document=sync_document(inspection)
        )
    assert _counts() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["results"].pop(), "Items without a result"),
        (lambda d: d["results"][0].update(outcome="maybe"), "choose pass, fail"),
        (lambda d: d["results"][0].update(outcome="fail", note=""), "describe what is wrong"),
        (lambda d: d["signatures"].update(inspector=""), "The inspector must sign"),
        (lambda d: d["signatures"].update(site_representative=""), "site representative"),
        (
            lambda d: d["results"][0].update(photos=["data:image/png;base64,bm90IGFuIGltYWdl"]),
            "not a JPEG",
        ),
        (lambda d: d["results"][0].update(item=999999), "not on this checklist"),
        (lambda d: d.update(position={"latitude": 123, "longitude": 0}), "GPS"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(
    inspection, users, change, message
):
    document = sync_document(inspection)
    change(document)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert _counts() == before
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS


def _post(client, inspection, document):
    return client.post(
        reverse("inspections:inspection-sync", kwargs={"uuid": inspection.uuid}),
        data=json.dumps(document),
        content_type="application/json",
    )


def test_the_endpoint_answers_200_then_replays_then_409(client, inspection, users):
    client.force_login(users.inspector_a)
    document = sync_document(inspection, fail=FAIL)
    first = _post(client, inspection, document)
    assert first.status_code == 200, first.content
    assert first.json()["replayed"] is False and first.json()["drafts"] == 2
    second = _post(client, inspection, document)
    assert second.status_code == 200 and second.json()["replayed"] is True
    conflict = _post(client, inspection, sync_document(inspection))
    assert conflict.status_code == 409
    assert "already submitted" in conflict.json()["error"]
    assert (
        ItemResult.objects.filter(inspection=inspection).count()
        == inspection.checklist.items.count()
    )


def test_the_endpoint_reports_validation_errors_as_400(client, inspection, users):
    client.force_login(users.inspector_a)
    document = sync_document(inspection)
    document["results"] = document["results"][:3]
    response = _post(client, inspection, document)
    assert response.status_code == 400
    assert any("Items without a result" in e for e in response.json()["errors"])


@pytest.mark.parametrize(
    ("persona", "status"),
    [(None, 401), ("manager_b", 404), ("auditor", 403), ("officer_a", 403)],
)
def test_the_endpoint_applies_scope_and_roles(client, inspection, users, persona, status):
    if persona:
        client.force_login(getattr(users, persona))
    response = _post(client, inspection, sync_document(inspection))
    assert response.status_code == status
    assert "error" in response.json()
    assert ItemResult.objects.count() == 0


def test_a_garbled_body_is_a_400(client, inspection, users):
    client.force_login(users.inspector_a)
    url = reverse("inspections:inspection-sync", kwargs={"uuid": inspection.uuid})
    response = client.post(url, data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_a_large_photo_is_refused(inspection, users, monkeypatch):
    document = sync_document(inspection)
    document["results"][0]["photos"] = [png_data_url(size=(3000, 3000))]
    monkeypatch.setattr("hazardledger.inspections.sync.PHOTO_MAX_BYTES", 1000)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    assert any("larger than 0 KB" in m for m in exc.value.messages), exc.value.messages
    assert _counts() == before


def test_a_submission_does_not_query_per_result(inspection, users):
    items = inspection.checklist.items.count()
    document = sync_document(inspection, fail=FAIL)
    with CaptureQueriesContext(connection) as queries:
        inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    # One INSERT per result, photo and draft; nothing read back per result.
    selects = [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) < items, len(selects)


# --- hostile documents (issue 8 items 2, 3 and 6): a 400 listing the problems, never a 500 ----


def _set(path, value):
    """A change to a document: ``path`` is a list of keys and indexes."""

    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set(["signatures"], ["a"]), "“signatures” must be an object"),
        (_set(["signatures"], "abc"), "“signatures” must be an object"),
        (_set(["signatures", "inspector"], {"a": 1}), "“signatures.inspector” must be text"),
        (_set(["position", "accuracy"], 1e400), "The GPS position is not valid"),
        (_set(["position", "latitude"], float("nan")), "The GPS position is not valid"),
        (_set(["position", "longitude"], 10**400), "The GPS position is not valid"),
        (_set(["position"], [23.1, 113.3]), "The GPS position is not valid"),
        (_set(["results"], "abc"), "“results” must be a list"),
        (_set(["results"], 5), "“results” must be a list"),
        (_set(["results", 0], "abc"), "Result 1: it is not an object"),
        (_set(["results", 1, "item"], True), "Result 2: “item” must be a whole number"),
        (_set(["results", 0, "note"], ["x"]), "Result 1: “note” must be text"),
        (_set(["results", 0, "photos"], "data:x"), "Result 1: “photos” must be a list"),
        (_set(["note"], {"a": 1}), "“note” must be text"),
        (_set(["finished_at"], "2026-13-45T10:00:00+08:00"), "finishing time is not valid"),
        (_set(["note"], "铃声\x07"), "The inspection note contains characters that cannot be"),
        (_set(["note"], "surrogate \ud800"), "(U+D800)"),
        (_set(["signatures", "site_representative"], "张\n三"), "(U+000A)"),
        (_set(["results", 0, "note"], "esc\x1b"), "(U+001B)"),
        (_set(["extra"], [[[[[[["deep"]]]]]]]), "not a valid inspection document"),
    ],
)
def test_a_malformed_document_is_a_400_listing_the_problem(
    client, inspection, users, change, message
):
    client.force_login(users.inspector_a)
    document = sync_document(inspection)
    change(document)
    before = _counts()
    response = _post(client, inspection, document)
    assert response.status_code == 400, response.content
    body = response.json()
    assert any(message in problem for problem in body.get("errors", [body["error"]])), body
    assert _counts() == before
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS


@pytest.mark.parametrize(
    "body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000]
)
def test_deeply_nested_json_is_a_400(client, inspection, users, body):
    client.force_login(users.inspector_a)
    url = reverse("inspections:inspection-sync", kwargs={"uuid": inspection.uuid})
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "not a valid inspection document" in response.json()["error"]
    assert ItemResult.objects.count() == 0


def test_the_service_checks_the_shape_before_it_hashes(inspection, users):
    document = sync_document(inspection, extra=[[[[[[["deep"]]]]]]])
    with pytest.raises(ValidationError) as info:
        inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    assert info.value.messages == ["The document is not an inspection document."]


@pytest.mark.parametrize(
    "where",
    [["signatures", "inspector"], ["signatures", "site"], ["results", 0, "photos"]],
)
def test_a_pixel_bomb_as_a_signature_or_photo_is_a_400(client, inspection, users, where):
    client.force_login(users.inspector_a)
    document = sync_document(inspection)
    bomb = png_claiming_data_url(30_000, 30_000)
    _set(where, [bomb] if where[-1] == "photos" else bomb)(document)
    before = _counts()
    response = _post(client, inspection, document)
    assert response.status_code == 400, response.content
    assert any("is too large a picture" in e for e in response.json()["errors"])
    assert _counts() == before


# --- files are written when the submission commits ------------------------------------------------


def _stored_files(root) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def test_a_committed_submission_writes_its_photos_and_signatures(
    inspection, users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with committed():
        inspection_sync(
            actor=users.inspector_a,
            inspection=inspection,
            document=sync_document(inspection, fail=FAIL),
        )
        assert _stored_files(tmp_path) == []  # nothing on disk before the commit
    inspection.refresh_from_db()
    names = {p.relative_to(tmp_path).as_posix() for p in _stored_files(tmp_path)}
    assert names == {
        inspection.inspector_signature.name,
        inspection.site_signature.name,
        *(photo.file.name for photo in ItemPhoto.objects.all()),
    }
    assert len(names) == 4


def test_a_submission_that_fails_after_its_photos_were_built_leaves_no_file(
    client, inspection, users, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path

    def moved_out_of_scope(obj, user):
        raise ScopeViolation

    # The last check before the audit entry: everything, files included, was built by then.
    monkeypatch.setattr("hazardledger.inspections.sync.ensure_in_scope", moved_out_of_scope)
    client.force_login(users.inspector_a)
    with committed():
        response = _post(client, inspection, sync_document(inspection, fail=FAIL))
    assert response.status_code == 403
    assert _stored_files(tmp_path) == []
    assert _counts() == (1, 0, 0, 0)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS


def test_a_submission_rolled_back_by_its_callers_transaction_leaves_no_file(
    inspection, users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        inspection_sync(
            actor=users.inspector_a,
            inspection=inspection,
            document=sync_document(inspection, fail=FAIL),
        )
        raise RuntimeError("the entry point failed after the submission")
    assert _stored_files(tmp_path) == []
    assert _counts() == (1, 0, 0, 0)
