"""The audit trail: registered actions only, the request id, names kept for the record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hazardledger.audit.actions import register_action
from hazardledger.audit.models import AuditEvent
from hazardledger.audit.services import UnknownAuditAction, record
from hazardledger.core.middleware import current_request_id

pytestmark = pytest.mark.django_db


def test_unregistered_action_is_refused(users):
    with pytest.raises(UnknownAuditAction):
        record(actor=users.officer_a, action="hazards.hazard.vanish")
    with pytest.raises(ValueError):
        register_action("vanish", "not namespaced")
    assert not AuditEvent.objects.exists()


def test_record_keeps_names_organisation_and_request_id(users, sites):
    register_action("tests.site.touch", "touched")
    token = current_request_id.set("req-123")
    try:
        entry = record(
            actor=users.officer_a,
            action="tests.site.touch",
            obj=sites.plant_a,
            before={"a": 1},
            after={"a": 2},
        )
    finally:
        current_request_id.reset(token)
    assert entry.object_type == "registry.site" and entry.object_id == str(sites.plant_a.pk)
    assert entry.actor_name == users.officer_a.display_name
    assert entry.organisation_id == users.officer_a.organisation_id
    assert entry.organisation_name == users.officer_a.organisation.name
    assert entry.request_id == "req-123"
    assert (entry.before, entry.after) == ({"a": 1}, {"a": 2})


def test_a_request_stamps_its_id_on_the_entries(client, users, sites):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("hazards:hazard-add"),
        {
            "site": sites.plant_a.pk,
            "location": "仓库",
            "description": "消防通道堵塞",
            "category": "fire",
            "grade": "general",
            "source": "self_inspection",
            "found_on": "2020-01-01",
        },
    )
    assert response.status_code == 302
    entry = AuditEvent.objects.get(action="hazards.hazard.record")
    assert entry.request_id == response["X-Request-ID"]


def test_admin_cannot_change_the_audit_trail(client, users):
    client.force_login(users.admin)
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
