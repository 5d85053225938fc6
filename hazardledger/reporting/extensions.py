"""What the rollups add to shared machinery (``core.extensions``): the demo's last step."""

from __future__ import annotations

from typing import Any

from hazardledger.core.extensions import DemoStep, register_demo_step

from .rollups import rollups_clear, rollups_rebuild


def demo_step(ctx: Any) -> None:
    """After every other step: the rollups from the demo's ledger and registry."""
    result = rollups_rebuild()
    ctx.say(f"rollups rebuilt: {result.hazards} hazards, {result.sites} sites")


def register() -> None:
    register_demo_step(
        DemoStep(
            name="reporting",
            run=demo_step,
            order=1000,
            after=("registry", "risks", "hazards", "supervision"),
            clear=rollups_clear,
        )
    )
