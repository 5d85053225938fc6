"""The shape the code must keep (issue 9's acceptance), checked on the source itself.

- ``role_can`` is gone: who may act is a model's permission policy (``access/policy.py``).
- "Under a region" is one selector (``regions.selectors``): no ``startswith`` on a region code,
  neither as ``code.startswith(prefix)`` nor as a ``region…__startswith`` lookup.
- The ledger does not import the apps built on it: ``core`` imports no app; ``registry`` none of
  risks, hazards or inspections; ``hazards`` neither inspections nor risks; and none of the three
  imports the next wave's apps, which hook in through ``core.extensions``, the outbox and the
  policies; neither do ``inspections`` and ``risks``.
- The supervision app changes hazards only through ``hazards.workflow.hazard_transition``: it
  imports no other module that writes hazards and saves, updates or deletes no hazard row.

Each test names every offence as ``path:line`` so that the list is the work left to do.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # hazardledger/
THIS_FILE = Path(__file__).resolve()

# Text files that may hold code or template logic (compiled catalogues and images are skipped).
TEXT_SUFFIXES = {".py", ".html", ".txt", ".md", ".js", ".toml", ".json", ".css", ".svg"}

# The one place that may compare region codes by prefix: the selector that defines "under".
REGION_PREFIX_ALLOWED = {PACKAGE / "regions" / "selectors.py"}

# Apps of the next wave (the house style's folder layout).
NEXT_WAVE = frozenset(
    {
        "supervision",
        "responsibility",
        "notifications",
        "campaigns",
        "enforcement",
        "reporting",
        "reports",
        "api",
        "integrity",
    }
)
# The apps each layer may not import. ``core`` imports no app at all (None).
FORBIDDEN_IMPORTS: dict[str, frozenset[str] | None] = {
    "core": None,
    "registry": frozenset({"risks", "hazards", "inspections"}) | NEXT_WAVE,
    "hazards": frozenset({"inspections", "risks"}) | NEXT_WAVE,
    "inspections": frozenset({"risks"}) | NEXT_WAVE,
    "risks": NEXT_WAVE,
    # Issue 14: the chain of responsibility builds on the ledger and links to supervision's
    # pages; the apps after it (dashboards, campaigns, enforcement, the API) are not its.
    "responsibility": frozenset({"campaigns", "enforcement", "reporting", "api"}),
    # Issue 15 (H15b): the rollups do not know the documents made from them.
    "reporting": frozenset({"reports"}),
}


def _relative(path: Path, package: Path) -> str:
    return str(path.relative_to(package.parent))


def _python_files(under: Path, *, package: Path, include_tests: bool) -> Iterator[Path]:
    for path in sorted(under.rglob("*.py")):
        parts = path.relative_to(package).parts
        if "__pycache__" in parts:
            continue
        if not include_tests and ("tests" in parts or path.name == "conftest.py"):
            continue
        yield path


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# --- role_can -------------------------------------------------------------------------------


def role_can_offences(package: Path = PACKAGE) -> list[str]:
    """Every line under hazardledger/ that mentions ``role_can`` (this file aside)."""
    found = []
    for path in sorted(package.rglob("*")):
        if path == THIS_FILE or path.suffix not in TEXT_SUFFIXES or "__pycache__" in path.parts:
            continue
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if "role_can" in line:
                found.append(f"{_relative(path, package)}:{number}: {line.strip()}")
    return found


def test_no_role_can_remains() -> None:
    offences = role_can_offences()
    assert offences == [], "role_can is gone; ask the model's policy:\n" + "\n".join(offences)


# --- startswith on region codes ---------------------------------------------------------------

_REGION_NAME = re.compile(r"region|^(code|scope_code|division_code)$")


def _names_region_code(node: ast.AST) -> bool:
    """True when ``node`` reads like a region code: a name, attribute or string key containing
    "region" (``region_id``, ``site.region_code``, ``row["region"]``) or ``code``/``scope_code``,
    also through ``str(…)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str":
        return bool(node.args) and _names_region_code(node.args[0])
    if isinstance(node, ast.Name):
        return bool(_REGION_NAME.search(node.id))
    if isinstance(node, ast.Attribute):
        return bool(_REGION_NAME.search(node.attr))
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return isinstance(node.slice.value, str) and bool(_REGION_NAME.search(node.slice.value))
    return False


def _region_prefix_lookups(node: ast.Call) -> Iterator[str]:
    """``filter(region_id__startswith=…)``-style lookups, as keywords or ``Q(**{…})`` keys."""
    keys = [k.arg for k in node.keywords if k.arg]
    for keyword in node.keywords:
        if keyword.arg is None and isinstance(keyword.value, ast.Dict):
            for key in keyword.value.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys.append(key.value)
                elif isinstance(key, ast.JoinedStr):  # f"{field}__startswith"
                    keys.append(ast.unparse(key))
    for key in keys:
        if "region" in key and key.rstrip("'\"").endswith("startswith"):
            yield key


def region_prefix_offences(path: Path, package: Path = PACKAGE) -> list[str]:
    """The lines of ``path`` that compare a region code by prefix."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(_parse(path)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "startswith":
            operands = [func.value, *node.args[:1]]
            if any(_names_region_code(operand) for operand in operands):
                found.append((node.lineno, ast.unparse(node)))
        found += [(node.lineno, lookup) for lookup in _region_prefix_lookups(node)]
    return [f"{_relative(path, package)}:{line}: {text}" for line, text in sorted(found)]


def test_no_startswith_on_region_codes() -> None:
    offences = [
        offence
        for path in _python_files(PACKAGE, package=PACKAGE, include_tests=False)
        if path not in REGION_PREFIX_ALLOWED
        for offence in region_prefix_offences(path)
    ]
    assert offences == [], (
        "Use regions.selectors (under_region / is_under), not a prefix test:\n"
        + "\n".join(offences)
    )


# --- imports between layers -------------------------------------------------------------------


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_import_module(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return (
        name == "import_module"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def imported_modules(path: Path, package: Path = PACKAGE) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports, absolute, with its line: top-level and inside functions,
    relative imports resolved, ``from hazardledger import app`` counted as the app, and
    ``importlib.import_module("…")`` with a literal name."""
    module = _module_name(path, package)
    parent = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(_parse(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                parts = parent.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            if _app_of(source) is None:
                # ``from hazardledger import risks``: the names are the modules.
                for alias in node.names:
                    yield node.lineno, f"{source}.{alias.name}"
            else:
                yield node.lineno, source
        elif isinstance(node, ast.Call) and _is_import_module(node):
            yield node.lineno, node.args[0].value  # type: ignore[attr-defined]


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "hazardledger" else None


def import_offences(app: str, package: Path = PACKAGE) -> list[str]:
    """The imports of ``app``'s code (tests aside) that reach an app it may not import."""
    forbidden = FORBIDDEN_IMPORTS[app]
    found = set()
    for path in _python_files(package / app, package=package, include_tests=False):
        for line, module in imported_modules(path, package):
            target = _app_of(module)
            if target is None or target == app:
                continue
            if forbidden is None or target in forbidden:
                found.add((_relative(path, package), line, target, module))
    return [
        f"{path}:{line}: imports hazardledger.{target} ({module})"
        for path, line, target, module in sorted(found)
    ]


@pytest.mark.parametrize("app", sorted(FORBIDDEN_IMPORTS))
def test_the_ledger_does_not_import_later_apps(app: str) -> None:
    offences = import_offences(app)
    assert offences == [], (
        f"{app} may not import these apps (use core.extensions, the outbox or a policy):\n"
        + "\n".join(offences)
    )


# --- supervision acts on hazards through the workflow ---------------------------------------

# The hazard modules that write a hazard's rows besides ``workflow.hazard_transition``.
HAZARD_WRITERS = frozenset(
    {
        "hazardledger.hazards.services",
        "hazardledger.hazards.history",
        "hazardledger.hazards.evidence",
        "hazardledger.hazards.workflow.effects",
        "hazardledger.hazards.workflow.service",
    }
)
_WRITES = frozenset(
    {"save", "update", "bulk_update", "delete", "create", "bulk_create", "update_or_create"}
)
_HAZARD_NAME = re.compile(r"^(hazard|Hazard|HazardEvent|RectificationPlan|ExtensionRequest)$")


def _names_a_hazard(node: ast.AST) -> bool:
    """True when ``node`` (the object of a call) reads a hazard row or its manager:
    ``hazard``, ``Hazard.objects…``, ``listing.hazard``, ``HazardEvent.objects…``."""
    for part in ast.walk(node):
        if isinstance(part, ast.Name) and _HAZARD_NAME.search(part.id):
            return True
        if isinstance(part, ast.Attribute) and _HAZARD_NAME.search(part.attr):
            return True
    return False


def hazard_write_offences(app: str, package: Path = PACKAGE) -> list[str]:
    """Where ``app``'s code (tests aside) writes hazards other than through the workflow: an
    import of a module that writes them, or a ``save``/``update``/``delete``… call on a
    hazard, a hazard manager or a hazard's history."""
    found: list[str] = []
    for path in _python_files(package / app, package=package, include_tests=False):
        for line, module in imported_modules(path, package):
            if module in HAZARD_WRITERS:
                found.append(f"{_relative(path, package)}:{line}: imports {module}")
        for node in ast.walk(_parse(path)):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr in _WRITES and _names_a_hazard(node.func.value):
                found.append(f"{_relative(path, package)}:{node.lineno}: {ast.unparse(node)}")
    return sorted(found)


def test_supervision_changes_hazards_only_through_the_workflow() -> None:
    offences = hazard_write_offences("supervision")
    assert offences == [], (
        "supervision acts on hazards only through hazards.workflow.hazard_transition:\n"
        + "\n".join(offences)
    )


def test_responsibility_changes_hazards_only_through_the_workflow() -> None:
    """Issue 14: the escalation job and an official's urging act on hazards through the
    workflow (``hazard_transition``, ``hazard_transition_many``), never by writing them."""
    offences = hazard_write_offences("responsibility")
    assert offences == [], (
        "responsibility acts on hazards only through hazards.workflow:\n" + "\n".join(offences)
    )


# --- the checks themselves ------------------------------------------------------------------


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    """Each check flags planted offences (so a green run means "none found", not "not
    looking") and leaves look-alikes alone, in a copy of the layout under ``tmp_path``."""
    package = tmp_path / "hazardledger"
    sample = package / "hazards" / "sample.py"
    sample.parent.mkdir(parents=True)
    (package / "hazards" / "tests").mkdir()
    sample.write_text(
        "from hazardledger.risks.services import site_risk_level_refresh\n"
        "from ..inspections import selectors\n"
        "from .models import Hazard\n"
        "from hazardledger.registry.selectors import site_list\n"
        "\n"
        "def f(site, org, row, language, key, Q):\n"
        "    from hazardledger import risks\n"
        "    a = site.region_id.startswith(org.region_id)\n"
        "    b = str(row['region']).startswith('4401')\n"
        "    c = Q(region_code__startswith='44') | Q(**{f'{org.region}__startswith': '44'})\n"
        "    d = language.startswith('en') or key.startswith('attr_')\n"
        "    return a, b, c, d, risks, role_can\n",
        encoding="utf-8",
    )
    # Tests may do what app code may not.
    (package / "hazards" / "tests" / "test_x.py").write_text(
        "from hazardledger.risks import models\n", encoding="utf-8"
    )
    assert [o.split(": ", 1)[1] for o in import_offences("hazards", package)] == [
        "imports hazardledger.risks (hazardledger.risks.services)",
        "imports hazardledger.inspections (hazardledger.inspections)",
        "imports hazardledger.risks (hazardledger.risks)",
    ]
    assert [o.split(":")[1] for o in region_prefix_offences(sample, package)] == [
        "8",
        "9",
        "10",
        "10",
    ]
    assert [o.split(":")[1] for o in role_can_offences(package)] == ["12"]


def test_the_hazard_write_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    """Planted writes in a copy of the layout are flagged; reads and the workflow are not."""
    package = tmp_path / "hazardledger"
    sample = package / "supervision" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text(
        "from hazardledger.hazards import workflow\n"
        "from hazardledger.hazards.services import hazard_record\n"
        "from hazardledger.hazards.models import Hazard\n"
        "\n"
        "def f(listing, hazard):\n"
        "    Hazard.objects.filter(pk=1).update(deadline=None)\n"
        "    listing.hazard.save()\n"
        "    listing.save()\n"
        "    Hazard.objects.filter(pk=1).exists()\n"
        "    return workflow.hazard_transition(hazard=hazard)\n",
        encoding="utf-8",
    )
    assert [o.split(":")[1] for o in hazard_write_offences("supervision", package)] == [
        "2",
        "6",
        "7",
    ]
