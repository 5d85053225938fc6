"""Extension points: apps built later show up on existing pages without those pages importing
them. Each app registers its pieces in ``AppConfig.ready()``; pages and commands ask here.

- **queue sections** (``register_queue_section``): a title and, for a user, a queryset of
  hazards (or None when the section is not theirs); the work queue shows them in order;
- **panels** (``register_panel``): a template and its context for an object, shown on the
  hazard page or the site page (``{% panels "site" site %}``);
- **demo steps** (``register_demo_step``): what ``load_demo`` runs, in order, after the
  registry.

Every registry is keyed by a stable name (registering it again replaces the entry) and
ordered by ``order``, then name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Named entries kept in ``order``, then name."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._entries: dict[str, T] = {}

    def add(self, name: str, entry: T) -> T:
        self._entries[name] = entry
        return entry

    def remove(self, name: str) -> None:
        self._entries.pop(name, None)

    def get(self, name: str) -> T:
        return self._entries[name]

    def all(self) -> list[T]:
        return sorted(
            self._entries.values(),
            key=lambda entry: (getattr(entry, "order", 0), getattr(entry, "name", "")),
        )

    def __contains__(self, name: object) -> bool:
        return name in self._entries


@dataclass(frozen=True)
class QueueSection:
    """A section of the work queue: ``queryset(user)`` gives its hazards (None: not for this
    user); ``link`` is the ledger's query string that lists them all. ``actions`` names the
    workflow actions the section is for, so tests can tie it to the transition table."""

    name: str
    title: Any
    queryset: Callable[[Any], Any]
    order: int = 100
    link: str = ""
    actions: tuple[str, ...] = ()
    # Why each hazard shown is in the section (``notes(user, hazards)`` → {pk: text}), e.g.
    # "overdue 9 days, escalated to the city"; None: no note.
    notes: Callable[[Any, list[Any]], dict[Any, str]] | None = None


@dataclass(frozen=True)
class Panel:
    """A block on an object's page: ``template`` rendered with ``context(request, obj)``
    (None: not shown to this user)."""

    name: str
    page: str
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 100
    # How many queries the panel may run on a page (the page's query budget adds them up).
    queries: int = 1


@dataclass(frozen=True)
class DemoStep:
    """A step of ``load_demo``: ``run(ctx)`` with the ``DemoContext``; ``after`` names the
    steps it needs before it. ``existing_logins()`` (one step gives it: accounts) returns None
    on an empty database, else the demo password and the demo users it holds, so that
    ``load_demo`` refuses to build over data and a rerun can still print the logins."""

    name: str
    run: Callable[[Any], None]
    order: int = 100
    after: tuple[str, ...] = field(default=())
    existing_logins: Callable[[], tuple[str, list[Any]] | None] | None = None
    # Removes what the step built (tests that rebuild the demo in one database).
    clear: Callable[[], None] | None = None


QUEUE_SECTIONS: Registry[QueueSection] = Registry("queue sections")
PANELS: Registry[Panel] = Registry("panels")
DEMO_STEPS: Registry[DemoStep] = Registry("demo steps")


def register_queue_section(section: QueueSection) -> QueueSection:
    return QUEUE_SECTIONS.add(section.name, section)


def register_panel(panel: Panel) -> Panel:
    return PANELS.add(f"{panel.page}:{panel.name}", panel)


def register_demo_step(step: DemoStep) -> DemoStep:
    return DEMO_STEPS.add(step.name, step)


def panels_for(page: str) -> list[Panel]:
    """The panels of ``page`` ("hazard" or "site"), in order."""
    return [panel for panel in PANELS.all() if panel.page == page]


def demo_steps() -> list[DemoStep]:
    """The demo steps in run order. Raises ``ValueError`` when a step names, in ``after``, a
    step that is missing or comes later."""
    steps = DEMO_STEPS.all()
    seen: set[str] = set()
    for step in steps:
        missing = [name for name in step.after if name not in seen]
        if missing:
            raise ValueError(f"Demo step {step.name} must come after {', '.join(missing)}")
        seen.add(step.name)
    return steps


def demo_steps_clear(first: str) -> None:
    """Remove what step ``first`` and every step after it built, the last step first (later
    steps' rows point at earlier ones'). Steps without a ``clear`` are left as they are."""
    steps = demo_steps()
    names = [step.name for step in steps]
    for step in reversed(steps[names.index(first) :]):
        if step.clear is not None:
            step.clear()
