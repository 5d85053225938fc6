"""The work queue's sections come from the extension registry and are tied to the workflow's
transition table (issue 9, item 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hazardledger.core.extensions import QUEUE_SECTIONS, QueueSection, register_queue_section
from hazardledger.hazards.choices import FINAL_STATUSES, HazardGrade, HazardStatus
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import hazard_queue
from hazardledger.hazards.workflow import TABLE, WORKFLOW_ACTIONS, allowed_actions

from .factories import hazard_in_state

S = HazardStatus
PERSONAS = ["officer_a", "principal_a", "inspector_a", "manager_a", "grid", "auditor", "admin"]


def _workflow_sections() -> list[QueueSection]:
    return [section for section in QUEUE_SECTIONS.all() if section.actions]


def test_every_workflow_queue_section_is_tied_to_the_transition_table():
    """The rule: a hazard *waits* in a status when the table has an action from it that a
    responsible party or a regulator owes (``awaited``: planning or fixing a recorded hazard,
    submitting its rectification, accepting or confirming it, deciding an extension request);
    the other actions are alternatives to those answers (reject), corrections (void), or
    someone's own initiative (request an extension, reopen a closed hazard).

    1. every action a section names is in the table, and is awaited;
    2. every awaited action of the table is named by some section;
    3. every open status the table has actions from has an awaited one, so a hazard never
       waits where no section shows it (closed and voided hazards wait for nobody).
    """
    named = [action for section in _workflow_sections() for action in section.actions]
    assert named, "no workflow section is registered"
    awaited = {t.action for t in TABLE if t.awaited}
    assert set(named) <= set(WORKFLOW_ACTIONS)
    assert set(named) <= awaited
    assert awaited <= set(named)
    for status in {t.source for t in TABLE} - set(FINAL_STATUSES):
        assert any(t.awaited for t in TABLE if t.source == status), status


@pytest.mark.django_db
def test_a_section_holds_exactly_the_hazards_its_actions_can_be_taken_on(users, sites):
    """For every persona, a workflow section lists the hazards on which the persona may take
    one of the section's actions now (``allowed_actions``, the page's own answer)."""
    hazards = [
        hazard_in_state(
            status=status,
            grade=grade,
            site=site,
            responsible=responsible,
            regulator=regulator,
            pending_extension=extension,
        )
        for site, responsible, regulator, grades in (
            (sites.plant_a, users.officer_a, users.inspector_a, HazardGrade.values),
            # No inspector covers self-built houses: only general ones reach every state.
            (sites.house, users.grid, users.manager_a, [HazardGrade.GENERAL]),
        )
        for grade in grades
        for status, extension in [*((s, False) for s in S.values), (S.RECTIFYING, True)]
        if not (grade == HazardGrade.MAJOR and status == S.FIXED)
    ]
    for persona in PERSONAS:
        user = getattr(users, persona)
        queue = {section.key: section for section in hazard_queue(user=user, limit=100)}
        for section in _workflow_sections():
            expected = {
                h.pk
                for h in Hazard.objects.filter(pk__in=[h.pk for h in hazards])
                if set(section.actions) & set(allowed_actions(hazard=h, actor=user))
            }
            shown = {h.pk for h in queue[section.name].hazards} if section.name in queue else set()
            assert shown == expected, f"{persona}: {section.name}"
            if section.name in queue:
                assert queue[section.name].total == len(expected)


@pytest.mark.django_db
def test_a_section_another_app_registers_shows_in_the_queue(client, users, sites):
    hazard = hazard_in_state(
        status=S.RECORDED,
        grade=HazardGrade.MAJOR,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    register_queue_section(
        QueueSection(
            name="test_supervised",
            title="Listed for supervision",
            queryset=lambda user: Hazard.objects.filter(grade=HazardGrade.MAJOR),
            order=5,
        )
    )
    try:
        client.force_login(users.inspector_a)
        response = client.get(reverse("hazards:hazard-queue"))
    finally:
        QUEUE_SECTIONS.remove("test_supervised")
    keys = [section.key for section in response.context["sections"]]
    assert keys[0] == "test_supervised"
    assert "Listed for supervision" in response.content.decode()
    assert f'href="/hazards/{hazard.pk}/"' in response.content.decode()
