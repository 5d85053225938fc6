"""What the responsibility app adds to shared pages (``core.extensions``): the three lines of
responsibility and the escalation on every hazard page, the work queue's "Escalated to us"
and "Urged" sections, and the demo steps (the list after the registry; the escalation after
the hazards and listings)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from hazardledger.core.extensions import (
    DemoStep,
    Panel,
    QueueSection,
    register_demo_step,
    register_panel,
    register_queue_section,
)


def _lines(request: Any, hazard: Any) -> dict[str, Any] | None:
    from .selectors import hazard_lines

    return {"hazard": hazard, "lines": hazard_lines(hazard=hazard)}


def _escalation(request: Any, hazard: Any) -> dict[str, Any] | None:
    """The escalation panel: only for a hazard that took a step, or that the user may act
    on."""
    from .forms import DecisionForm, UrgeForm
    from .selectors import hazard_escalation

    context = hazard_escalation(hazard=hazard, user=request.user)
    if context is None:
        return None
    context["urge_form"] = UrgeForm(initial={"version": hazard.version})
    context["decision_form"] = DecisionForm()
    return context


def _escalated(user: Any) -> Any:
    from .selectors import hazards_escalated_to

    return hazards_escalated_to(user=user)


def _escalated_notes(user: Any, hazards: list[Any]) -> dict[Any, str]:
    from .selectors import escalated_notes

    return escalated_notes(user, hazards)


def _urged(user: Any) -> Any:
    from .selectors import hazards_urged

    return hazards_urged(user=user)


def _urged_notes(user: Any, hazards: list[Any]) -> dict[Any, str]:
    from .selectors import urged_notes

    return urged_notes(user, hazards)


def register() -> None:
    from .demo import demo_clear, demo_escalation, demo_escalation_clear, demo_step

    register_panel(
        Panel(
            name="responsibility",
            page="hazard",
            template="responsibility/partials/_hazard_lines.html",
            context=_lines,
            order=10,
            # The entries, their officials, the enterprise's people, the levels' names.
            queries=4,
        )
    )
    register_panel(
        Panel(
            name="escalation",
            page="hazard",
            template="responsibility/partials/_hazard_escalation.html",
            context=_escalation,
            order=20,
            # The steps and the decisions (a hazard never escalated stops there).
            queries=2,
        )
    )
    register_queue_section(
        QueueSection(
            name="escalated",
            title=_("Escalated to us"),
            queryset=_escalated,
            order=6,
            notes=_escalated_notes,
        )
    )
    register_queue_section(
        QueueSection(name="urged", title=_("Urged"), queryset=_urged, order=7, notes=_urged_notes)
    )
    register_demo_step(
        DemoStep(
            name="responsibility",
            run=demo_step,
            order=7,
            after=("accounts", "registry"),
            clear=demo_clear,
        )
    )
    register_demo_step(
        DemoStep(
            name="escalation",
            run=demo_escalation,
            order=45,
            after=("responsibility", "hazards", "supervision"),
            clear=demo_escalation_clear,
        )
    )
