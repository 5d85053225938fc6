"""What the registry adds to shared machinery (``core.extensions``): its demo step. (Its figures
on the overview are the dashboards' now: the ``reporting`` app counts sites by risk level.)"""

from __future__ import annotations

from hazardledger.core.extensions import DemoStep, register_demo_step


def register() -> None:
    from .demo import demo_step

    register_demo_step(DemoStep(name="registry", run=demo_step, order=5, after=("accounts",)))
