"""Build a large ledger on PostgreSQL fast: sites, hazards and their VALID hash-chained history.

    .venv/bin/python bench/ledger_build.py --sites 100000 --hazards 1000000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hl_bench15 \\
        .venv/bin/python bench/ledger_build.py --sites 1000000 --hazards 10000000

Used by ``bench/dashboards.py`` (which times the pages on the result); run alone it only builds.

How it is fast without cheating on the history:

1. **Rows streamed with COPY.** Organisations, sites, hazards and events are generated in
   Python as COPY text and streamed with psycopg's ``cursor.copy()``; nothing is held in memory
   but the site table (three small arrays).
2. **Indexes and constraints after the load.** The four tables' indexes, unique and foreign-key
   constraints are read from the catalogue, dropped, and re-created once the rows are in (index
   builds on several connections at once; the foreign keys are validated then, so every row is
   still checked).
3. **Hashes computed exactly as the app does, without building model objects.** Each event's
   hash is SHA-256 over the canonical JSON ``hazards.history.canonical`` defines. The canonical
   document of each kind of step is rendered once by the app's own ``json.dumps`` settings with
   placeholders, and then filled per event with ``str.format`` (values already JSON-encoded).
   Before anything is written, ``self_check`` compares the bytes for one hazard of every path
   with ``history.canonical`` of a ``HazardEvent`` built from the same values; after the load,
   ``verify_sample`` runs the app's ``history.verify_chain`` on hazards read back from the
   database and replays their chains (``history.replay``) against the rows.
4. **Parallel.** ``--workers`` processes each generate the events of a range of hazard ids and
   COPY them on their own connection; they pass the hazard rows (small) to the parent, which
   COPYs them into the freshly truncated hazard table with ``FREEZE`` (so the table is
   all-visible at once and index-only scans work without a VACUUM).

The hazards follow real paths through the workflow (record, plan, approve, submit, accept, fix,
confirm, void, reopen, list), their dates drawn from the hazard id: found over the last two years,
deadlines by grade, about a quarter of rectifications late; a path whose next step would fall
after today stops there, so recent hazards are still open. Every event carries the fields it
changed (format 2), the first one every initial field, so the chain replays to the row.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hl_bench15"

# Tables loaded with COPY (their indexes and constraints are re-created after the load).
TABLES = (
    "accounts_organisation",
    "registry_site",
    "hazards_hazard",
    "hazards_hazardevent",
    "audit_auditevent",
)

SECTORS_FALLBACK = ("industry_trade",)
CATEGORIES = ("equipment", "process", "electrical", "fire", "management", "environment", "other")
SOURCES = ("self_inspection", "regulatory_inspection", "campaign", "public_report", "other")


# --- settings and the database ----------------------------------------------------------------


def configure(*, url: str, fresh: bool) -> None:
    """Point Django at the bench database (created empty when ``fresh``) and set it up."""
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    import psycopg

    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh or not exists:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            # The C collation sorts UTF-8 text by code point, as C.UTF-8 does, but PostgreSQL
            # compares it with memcmp (and abbreviated keys): index builds on the text columns
            # (division codes, hashes) run several times faster.
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
            )
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def connect(url: str) -> Any:
    """A psycopg connection tuned for bulk work (no synchronous commit, big sort memory)."""
    import psycopg

    conn = psycopg.connect(url)
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute("SET work_mem = '256MB'")
    conn.commit()
    return conn


# --- COPY text --------------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """One value as COPY's text format writes it (``\\N`` for NULL)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_COPY_ESCAPES)
    return str(value).translate(_COPY_ESCAPES)


@dataclass
class RowShape:
    """The columns of a model in COPY order, and the text of every column the builder does not
    fill (the field's default), so that columns other work adds later still load."""

    table: str
    columns: list[str]
    defaults: dict[str, str]

    @property
    def copy_sql(self) -> str:
        return f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"

    def template(self, given: dict[str, str]) -> str:
        """A ``%``-template of one COPY line: the ``given`` text (itself a ``%``-template) for
        the columns it names, the default's text for the others."""
        unknown = set(given) - set(self.columns)
        if unknown:
            raise SystemExit(f"{self.table} has no columns {sorted(unknown)}")
        parts = [
            given[column] if column in given else self.defaults[column].replace("%", "%%")
            for column in self.columns
        ]
        return "\t".join(parts) + "\n"


def row_shape(model: Any) -> RowShape:
    from django.db.models import NOT_PROVIDED

    columns, defaults = [], {}
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED or field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = datetime.now(UTC)
        else:
            value = "" if field.get_internal_type() in ("CharField", "TextField") else None
        defaults[field.column] = copy_text(value)
    return RowShape(model._meta.db_table, columns, defaults)


# --- JSON values and templates ----------------------------------------------------------------


def js(value: Any) -> str:
    """``value`` as the app's canonical JSON writes it (compact, sorted, not ASCII-escaped)."""
    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    )


_SLOT = re.compile(r'"\ue000(\w+)\ue001"')


def slot(name: str) -> str:
    """A placeholder for a JSON value given per event (already encoded) in ``d[name]``."""
    return f"\ue000{name}\ue001"


def json_template(document: Any) -> str:
    """``document`` as the app's canonical JSON, as a ``%``-template: every ``slot(name)``
    value becomes ``%(name)s``."""
    text = js(document).replace("%", "%%")
    if "\\" in text or "\t" in text or "\n" in text:
        raise ValueError("a template needs COPY escaping; keep bench values plain")
    return _SLOT.sub(lambda m: "%(" + m.group(1) + ")s", text)


class Clock:
    """Event times in the three forms they need: COPY (``2026-01-02 01:02:03.123456+00``), the
    hash's (``"…T01:02:03.123456Z"``) and the JSON of a datetime field (DjangoJSONEncoder:
    milliseconds, ``Z``). Times stay between 01:00 and 08:00 UTC, so the local date (Asia/
    Shanghai) is the UTC date."""

    def __init__(self, first: date, days: int) -> None:
        self.first = first.toordinal()
        self.day_text = [date.fromordinal(self.first + n).isoformat() for n in range(days + 1)]

    def day(self, ordinal: int) -> str:
        return self.day_text[ordinal - self.first]

    def moment(self, ordinal: int, seconds: int, micro: int) -> tuple[str, str, str]:
        day = self.day_text[ordinal - self.first]
        hh, rest = divmod(seconds, 3600)
        mm, ss = divmod(rest, 60)
        clock = f"{hh:02d}:{mm:02d}:{ss:02d}"
        return (
            f"{day} {clock}.{micro:06d}+00",
            f'"{day}T{clock}.{micro:06d}Z"',
            f'"{day}T{clock}.{micro // 1000:03d}Z"',
        )


# --- the paths through the workflow -----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One event of a path: the action, the status it leads to (None: keeps it), what drives
    the days since the previous step, the hazard fields it sets (field → a ``Sym`` or the name
    of a value drawn per event: ``now`` its time, ``review`` ten days on, ``new_deadline``) and
    its event data (JSON)."""

    action: str
    to_status: str | None
    after: str = ""
    updates: tuple[tuple[str, Any], ...] = ()
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Sym:
    """A field's value in a compiled template: its JSON text and its COPY text, each either
    literal or holding ``%(name)s`` placeholders."""

    json: str
    copy: str


def lit(value: Any) -> Sym:
    return Sym(js(value).replace("%", "%%"), copy_text(value).replace("%", "%%"))


NULL = lit(None)
CLOSE = (("closed_at", "now"), ("accepted_by_name", lit("验收人")))
RECORD = Step("record", "recorded")
PLAN = Step("plan", "rectifying", "plan")
PLAN_MAJOR = Step("plan", "plan_pending", "plan")
APPROVE = Step("approve_plan", "rectifying", "approve")
SUBMIT = Step("submit", "submitted", "finish", (("completed_at", "now"),))
SUBMIT_MAJOR = Step(
    "submit", "submitted", "finish", (("completed_at", "now"), ("review_due", "review"))
)
FIX = Step("fix", "fixed", "finish", (("completed_at", "now"),))
CONFIRM = Step("confirm", "closed", "accept", (*CLOSE, ("review_due", NULL)))
ACCEPT = Step("accept", "closed", "accept", (*CLOSE, ("review_due", NULL)))
VOID = Step("void", "voided", "plan", (), {"void_reason": "error"})
REOPEN = Step(
    "reopen",
    "reopened",
    "reopen",
    (
        ("closed_at", NULL),
        ("accepted_by_name", lit("")),
        ("completed_at", NULL),
        ("deadline", "new_deadline"),
    ),
)
LIST = Step(
    "list",
    None,
    "plan",
    (
        ("deadline", "new_deadline"),
        ("listing_level", lit("city")),
        ("production_stop", lit("part")),
    ),
    {"level": "city", "stop": "part"},
)

# (weight out of 100, steps) for general and for major hazards.
GENERAL_PATHS: tuple[tuple[int, tuple[Step, ...]], ...] = (
    (12, (RECORD,)),
    (14, (RECORD, PLAN)),
    (5, (RECORD, PLAN, SUBMIT)),
    (4, (RECORD, FIX)),
    (36, (RECORD, FIX, CONFIRM)),
    (20, (RECORD, PLAN, SUBMIT, ACCEPT)),
    (6, (RECORD, VOID)),
    (3, (RECORD, FIX, CONFIRM, REOPEN)),
)
MAJOR_PATHS: tuple[tuple[int, tuple[Step, ...]], ...] = (
    (10, (RECORD,)),
    (8, (RECORD, PLAN_MAJOR)),
    (20, (RECORD, PLAN_MAJOR, APPROVE)),
    (7, (RECORD, PLAN_MAJOR, APPROVE, SUBMIT_MAJOR)),
    (40, (RECORD, PLAN_MAJOR, APPROVE, SUBMIT_MAJOR, ACCEPT)),
    (15, (RECORD, LIST, PLAN_MAJOR, APPROVE)),
)
MAX_EVENTS = 5


def _path_table(paths: tuple[tuple[int, tuple[Step, ...]], ...]) -> list[int]:
    table: list[int] = []
    for index, (weight, _steps) in enumerate(paths):
        table += [index] * weight
    assert len(table) == 100
    return table


GENERAL_TABLE = _path_table(GENERAL_PATHS)
MAJOR_TABLE = _path_table(MAJOR_PATHS)


# --- compiling a path into templates ----------------------------------------------------------

# The hazard columns the builder fills (the others get their default).
HAZARD_COLUMNS = (
    "id", "created_at", "updated_at", "location", "description", "category", "grade",
    "grade_basis", "source", "found_by_name", "found_on", "status", "interim_measures",
    "reported_at", "deadline", "completed_at", "accepted_by_name", "closed_at", "version",
    "history_seq", "history_head", "organisation_id", "region_code", "sector_id", "site_id",
    "listing_level", "production_stop", "regulator_found", "review_due",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "seq", "action", "from_status", "to_status", "actor_name", "actor_role",
    "organisation_name", "created_at", "reason", "data", "prev_hash", "hash", "actor_id",
    "hazard_id", "organisation_id", "region_code", "changes", "format",
)  # fmt: skip
AUDIT_COLUMNS = (
    "id", "created_at", "action", "actor_name", "actor_role", "organisation_id",
    "organisation_name", "object_type", "object_id", "object_repr", "before", "after", "data",
)  # fmt: skip
# Hazard fields whose JSON value the first event records from the drawn facts.
DRAWN = {
    "site": Sym("%(site)s", "%(site)s"),
    "region": Sym('"%(region)s"', "%(region)s"),
    "sector": Sym('"%(sector)s"', "%(sector)s"),
    "organisation": Sym("%(org_json)s", "%(org_copy)s"),
    "location": Sym('"部位%(loc)s"', "部位%(loc)s"),
    "description": Sym('"基准隐患描述%(hid)s"', "基准隐患描述%(hid)s"),
    "category": Sym('"%(category)s"', "%(category)s"),
    "source": Sym('"%(source)s"', "%(source)s"),
    "found_on": Sym('"%(found)s"', "%(found)s"),
    "deadline": Sym('"%(deadline0)s"', "%(deadline0)s"),
    "regulator_found": Sym("%(regf_json)s", "%(regf_copy)s"),
}
ACTOR = {"actor_id": None, "actor_name": "基准用户", "actor_role": "enterprise_officer"}


@dataclass
class Compiled:
    """A path prefix as templates: per event the changes, the canonical document, the event's
    and the audit entry's COPY lines; and the hazard's COPY line."""

    changes: list[str]
    canonical: list[str]
    event_line: list[str]
    audit_line: list[str]
    hazard_line: str


def compile_path(steps: tuple[Step, ...], *, major: bool, shapes: dict[str, Any]) -> Compiled:
    """Walk ``steps`` symbolically (values are ``%(name)s`` placeholders filled per hazard) and
    render every template of the path."""
    from hazardledger.hazards import history
    from hazardledger.hazards.models import Hazard

    state: dict[str, Sym] = {}
    for name in history.state_fields():
        if name in DRAWN:
            state[name] = DRAWN[name]
        else:
            field: Any = Hazard._meta.get_field(name)
            state[name] = lit(history.json_value(field.get_default()))
    state.update(
        grade=lit("major" if major else "general"),
        grade_basis=lit("判定标准第3条" if major else ""),
        found_by_name=lit("检查员"),
        status=lit("recorded"),
        interim_measures=lit(["warnings_posted"] if major else []),
        reported_at=Sym("%(j1)s", "%(c1)s") if major else NULL,
        production_stop=lit("none"),
    )
    out = Compiled([], [], [], [], "")
    status = ""
    for seq, step in enumerate(steps, start=1):
        to_status = step.to_status or status
        if seq == 1:
            changes = {name: [None, slot(f"v_{name}")] for name in state}
            values = {f"v_{name}": sym.json for name, sym in state.items()}
        else:
            news: dict[str, Sym] = {}
            if to_status != status:
                news["status"] = lit(to_status)
            for name, source in step.updates:
                if isinstance(source, Sym):
                    news[name] = source
                elif source == "now":
                    news[name] = Sym(f"%(j{seq})s", f"%(c{seq})s")
                elif source == "review":
                    news[name] = Sym(f'"%(r{seq})s"', f"%(r{seq})s")
                elif source == "new_deadline":
                    news[name] = Sym(f'"%(d{seq})s"', f"%(d{seq})s")
            news = {name: sym for name, sym in news.items() if sym != state[name]}
            changes = {name: [slot(f"o_{name}"), slot(f"n_{name}")] for name in sorted(news)}
            values = {f"o_{name}": state[name].json for name in news}
            values |= {f"n_{name}": sym.json for name, sym in news.items()}
            state.update(news)
        changes_text = json_template(changes)
        for key, text in values.items():
            changes_text = changes_text.replace(f"%({key})s", text)
        data = step.data or {}
        document = {
            **ACTOR,
            "hazard_id": slot("hid"),
            "region_id": slot("region_json"),
            "seq": seq,
            "action": step.action,
            "from_status": status,
            "to_status": to_status,
            "organisation_id": slot("org_json"),
            "organisation_name": slot("orgname_json"),
            "reason": "",
            "data": data,
            "created_at": slot(f"h{seq}"),
            "prev_hash": slot(f"p{seq}"),
            "format": history.CURRENT_FORMAT,
            "changes": slot("chg"),
        }
        unknown = set(history.HASHED_FIELDS) - set(document)
        if unknown:
            raise SystemExit(
                f"history.HASHED_FIELDS has fields the builder does not know: {unknown}"
            )
        out.changes.append(changes_text)
        out.canonical.append(json_template(document))
        out.event_line.append(
            shapes["event"].template(
                {
                    "id": f"%(e{seq})s",
                    "seq": str(seq),
                    "action": step.action,
                    "from_status": status,
                    "to_status": to_status,
                    "actor_name": ACTOR["actor_name"],
                    "actor_role": ACTOR["actor_role"],
                    "organisation_name": "%(orgname)s",
                    "created_at": f"%(c{seq})s",
                    "reason": "",
                    "data": json_template(data),
                    "prev_hash": f"%(x{seq - 1})s",
                    "hash": f"%(x{seq})s",
                    "actor_id": "\\N",
                    "hazard_id": "%(hid)s",
                    "organisation_id": "%(org_copy)s",
                    "region_code": "%(region)s",
                    "changes": "%(chg)s",
                    "format": str(history.CURRENT_FORMAT),
                }
            )
        )
        # What ``history_append`` has ``audit.record`` write for the event.
        audit_data = json_template(
            {"event": seq, "hash": slot(f"x{seq}_json"), "reason": "", **data}
        )
        out.audit_line.append(
            shapes["audit"].template(
                {
                    "id": f"%(a{seq})s",
                    "created_at": f"%(c{seq})s",
                    "action": f"hazards.hazard.{step.action}",
                    "actor_name": ACTOR["actor_name"],
                    "actor_role": ACTOR["actor_role"],
                    "organisation_id": "%(org_copy)s",
                    "organisation_name": "%(orgname)s",
                    "object_type": "hazards.hazard",
                    "object_id": "%(hid)s",
                    "object_repr": "#%(hid)s 基准隐患描述%(hid)s",
                    "before": json_template({"status": status}) if status else "\\N",
                    "after": json_template({"status": to_status, "version": seq}),
                    "data": audit_data,
                }
            )
        )
        status = to_status
    n = len(steps)
    row = {
        "id": "%(hid)s",
        "created_at": "%(c1)s",
        "updated_at": f"%(c{n})s",
        "version": str(n),
        "history_seq": str(n),
        "history_head": f"%(x{n})s",
        "organisation_id": "%(org_copy)s",
        "region_code": "%(region)s",
        "sector_id": "%(sector)s",
        "site_id": "%(site)s",
    }
    for column in HAZARD_COLUMNS:
        if column not in row:
            row[column] = state[column].copy
    out.hazard_line = shapes["hazard"].template(row)
    return out


# --- generation -------------------------------------------------------------------------------


@dataclass
class Ctx:
    """What every worker needs: the sites, the dates and the compiled paths."""

    today: int  # ordinal
    site_region: list[str]
    site_sector: list[str]
    site_org: list[int]  # 0: none
    compiled: dict[tuple[bool, int, int], Compiled]  # (major, path, events) → templates
    hazard_copy: str
    event_copy: str
    audit_copy: str
    audit_offset: int = 0  # audit ids are event ids plus this
    audit: bool = True  # write the events' audit entries


def mix(n: int) -> int:
    """A cheap integer hash (Knuth's multiplicative), so that fields drawn from the id do not
    move in step with each other."""
    return (n * 2654435761) & 0xFFFFFFFF


def build_ctx(*, today: date, sites: tuple[list[str], list[str], list[int]]) -> Ctx:
    """Compile every prefix of every path (needs Django set up)."""
    from hazardledger.audit.models import AuditEvent
    from hazardledger.hazards.models import Hazard, HazardEvent

    shapes = {
        "hazard": row_shape(Hazard),
        "event": row_shape(HazardEvent),
        "audit": row_shape(AuditEvent),
    }
    compiled = {}
    for major, paths in ((False, GENERAL_PATHS), (True, MAJOR_PATHS)):
        for index, (_weight, steps) in enumerate(paths):
            for n in range(1, len(steps) + 1):
                compiled[(major, index, n)] = compile_path(steps[:n], major=major, shapes=shapes)
    return Ctx(
        today=today.toordinal(),
        site_region=sites[0],
        site_sector=sites[1],
        site_org=sites[2],
        compiled=compiled,
        hazard_copy=shapes["hazard"].copy_sql,
        event_copy=shapes["event"].copy_sql,
        audit_copy=shapes["audit"].copy_sql,
    )


def walk(ctx: Ctx, clock: Clock, hid: int) -> tuple[str, list[str], list[str]]:
    """One hazard: its COPY line, and its events' and audit entries' COPY lines.

    Draws the hazard's facts from its id, the days of each step of its path (a step that
    would fall on or after today ends the path there), then fills the compiled templates and
    hashes each canonical document in turn.
    """
    h = mix(hid)
    site_index = (hid * 7919) % len(ctx.site_region)
    major = hid % 20 == 0
    paths = MAJOR_PATHS if major else GENERAL_PATHS
    path = (MAJOR_TABLE if major else GENERAL_TABLE)[(h >> 16) % 100]
    steps = paths[path][1]
    found = ctx.today - 1 - (h % 730)
    deadline = found + (90 if major else 7 + (h >> 8) % 40)
    source = SOURCES[(h >> 12) % 5]
    org = ctx.site_org[site_index]
    region = ctx.site_region[site_index]
    d: dict[str, Any] = {
        "hid": hid,
        "site": site_index + 1,
        "region": region,
        "region_json": f'"{region}"',
        "sector": ctx.site_sector[site_index],
        "org_json": org or "null",
        "org_copy": org or "\\N",
        "orgname": f"基准企业{org}" if org else "基准乡镇",
        "loc": h % 50,
        "category": CATEGORIES[(h >> 4) % 7],
        "source": source,
        "found": clock.day(found),
        "deadline0": clock.day(deadline),
        "regf_json": "true" if source == "regulatory_inspection" else "false",
        "regf_copy": "t" if source == "regulatory_inspection" else "f",
        "x0": "0" * 64,
    }
    d["orgname_json"] = f'"{d["orgname"]}"'
    late = (h >> 20) % 4 == 0  # a quarter of rectifications finish after the deadline
    day = found
    seconds = 3600 + h % 25000
    micro = (h % 997) * 1000 + 123
    n = 0
    for seq, step in enumerate(steps, start=1):
        if seq > 1:
            r = (h >> (seq + 3)) % 5
            if step.after == "finish":
                gap = (
                    max(1, deadline - day + 1 + r * 3)
                    if late
                    else max(1, min(deadline - day, 2 + r * 4))
                )
            elif step.after == "reopen":
                gap = 5 + r
            else:
                gap = 1 + r
            day += gap
            if day >= ctx.today:
                break
            seconds = 3600 + (seconds * 7 + seq * 911) % 25000
            micro = (micro * 31 + seq) % 1_000_000 or 1
        d[f"c{seq}"], d[f"h{seq}"], d[f"j{seq}"] = clock.moment(day, seconds, micro)
        if step.action == "submit":
            d[f"r{seq}"] = clock.day(day + 10)
        elif step.action in ("reopen", "list"):
            new = day + (30 if step.action == "reopen" else 120)
            deadline = new if new != deadline else new + 1
            d[f"d{seq}"] = clock.day(deadline)
        n = seq
    compiled = ctx.compiled[(major, path, n)]
    first = first_event_id(hid)
    events: list[str] = []
    audits: list[str] = []
    for seq in range(1, n + 1):
        d["chg"] = compiled.changes[seq - 1] % d
        d[f"p{seq}"] = f'"{d[f"x{seq - 1}"]}"'
        digest = hashlib.sha256((compiled.canonical[seq - 1] % d).encode()).hexdigest()
        d[f"x{seq}"] = digest
        d[f"x{seq}_json"] = f'"{digest}"'
        d[f"e{seq}"] = first + seq - 1
        d[f"a{seq}"] = first + seq - 1 + ctx.audit_offset
        events.append(compiled.event_line[seq - 1] % d)
        audits.append(compiled.audit_line[seq - 1] % d)
    return compiled.hazard_line % d, events, audits


# --- one worker: a range of hazard ids --------------------------------------------------------


def first_event_id(hid: int) -> int:
    """Event ids are laid out per hazard (at most 5 events each), so every worker knows where
    its range starts without asking the others; the gaps cost nothing."""
    return (hid - 1) * MAX_EVENTS + 1


def worker(args: tuple[Any, ...]) -> tuple[int, int]:
    """Generate hazards ``start..stop-1``: their events and audit entries COPYed here (two
    connections), the hazard lines sent to the parent through ``queue`` in chunks. Returns
    (hazards, events)."""
    url, ctx, first_day, days, start, stop, queue = args
    clock = Clock(date.fromordinal(first_day), days)
    events_conn, audit_conn = connect(url), connect(url)
    n_events = 0
    # Without audit entries the audit COPY still opens (and receives nothing).
    audit_sql = ctx.audit_copy if ctx.audit else "COPY audit_auditevent (id) FROM STDIN"
    with (
        events_conn.cursor() as ecur,
        audit_conn.cursor() as acur,
        ecur.copy(ctx.event_copy) as events_copy,
        acur.copy(audit_sql) as audit_copy,
    ):
        for low in range(start, stop, 5000):
            hazards: list[str] = []
            events: list[str] = []
            audits: list[str] = []
            for hid in range(low, min(low + 5000, stop)):
                hazard, more_events, more_audits = walk(ctx, clock, hid)
                hazards.append(hazard)
                events += more_events
                audits += more_audits
            n_events += len(events)
            events_copy.write("".join(events))
            if ctx.audit:
                audit_copy.write("".join(audits))
            queue.put("".join(hazards))
    events_conn.commit()
    audit_conn.commit()
    events_conn.close()
    audit_conn.close()
    queue.put(None)
    return stop - start, n_events


def _worker_main(job: tuple[Any, ...], results: Any) -> None:
    """A worker process: run ``worker`` and report its counts (or its traceback, after telling
    the parent it will send no more hazard lines)."""
    import traceback

    try:
        results.put(worker(job))
    except BaseException:
        job[-1].put(None)
        results.put(traceback.format_exc())


# --- tables: drop and re-create indexes and constraints ---------------------------------------


@dataclass
class Ddl:
    drop: list[str]
    indexes: list[str]  # CREATE [UNIQUE] INDEX, any order, in parallel
    attach: list[str]  # PRIMARY KEY / UNIQUE USING INDEX
    foreign: list[tuple[str, str]]  # (table, ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY)


def take_apart(conn: Any, tables: tuple[str, ...]) -> Ddl:
    """Read the indexes and constraints of ``tables`` (and foreign keys pointing at them), then
    drop them all; return what re-creates them."""
    ddl = Ddl([], [], [], [])
    oids = "ARRAY[" + ",".join(f"'{t}'::regclass" for t in tables) + "]"
    fks = conn.execute(
        f"""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE contype = 'f'
            AND (conrelid = ANY({oids}) OR confrelid = ANY({oids}))"""
    ).fetchall()
    for table, name, definition in fks:
        ddl.drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        ddl.foreign.append((table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    keys = conn.execute(
        f"""SELECT conrelid::regclass::text, conname, contype, conindid::regclass::text
            FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid = ANY({oids})"""
    ).fetchall()
    constraint_indexes = set()
    for table, name, kind, index in keys:
        definition = conn.execute("SELECT pg_get_indexdef(%s::regclass)", [index]).fetchone()[0]
        constraint_indexes.add(index)
        ddl.drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        ddl.indexes.append(definition)
        what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
        ddl.attach.append(
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {what} USING INDEX "{index}"'
        )
    rows = conn.execute(
        f"""SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
            FROM pg_index WHERE indrelid = ANY({oids})"""
    ).fetchall()
    for index, definition in rows:
        if index in constraint_indexes:
            continue
        ddl.drop.append(f'DROP INDEX "{index}"')
        ddl.indexes.append(definition)
    for statement in ddl.drop:
        conn.execute(statement)
    conn.commit()
    return ddl


def put_together(url: str, ddl: Ddl, connections: int = 3, *, verbose: bool = True) -> None:
    """Re-create what ``take_apart`` dropped: indexes on ``connections`` connections at once
    (largest tables first), then the keys, then the foreign keys (validated), per table."""
    from concurrent.futures import ThreadPoolExecutor

    durations: list[tuple[float, str]] = []

    def run(statement: str) -> None:
        started = time.perf_counter()
        conn = connect(url)
        conn.execute("SET max_parallel_maintenance_workers = 0")
        conn.execute(statement)
        conn.commit()
        conn.close()
        durations.append((time.perf_counter() - started, statement))

    order = sorted(ddl.indexes, key=lambda s: ("hazardevent" not in s, "hazards_hazard" not in s))
    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(run, order))
    conn = connect(url)
    for statement in ddl.attach:
        conn.execute(statement)
    conn.commit()
    conn.close()
    by_table: dict[str, list[str]] = {}
    for table, statement in ddl.foreign:
        by_table.setdefault(table, []).append(statement)

    def run_all(statements: list[str]) -> None:
        for statement in statements:
            run(statement)

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(run_all, by_table.values()))
    if verbose:
        for seconds, statement in sorted(durations, reverse=True)[:10]:
            print(f"    {seconds:6.1f} s  {statement[:110]}")


# --- the load ---------------------------------------------------------------------------------


@dataclass
class BenchUsers:
    """Names of the bench's users (created by ``load``)."""

    province: str = "bench-province"
    city: str = "bench-guangzhou"
    district: str = "bench-tianhe"
    sector: str = "bench-gz-em"


def make_people() -> dict[str, Any]:
    """The four regulators' organisations and users (through the ORM: a handful of rows)."""
    from hazardledger.accounts.choices import OrganisationKind, Role
    from hazardledger.accounts.models import Organisation, User
    from hazardledger.regions.choices import DepartmentKind

    names = BenchUsers()
    gd = Organisation.objects.create(
        name="广东省安委办", kind=OrganisationKind.OFFICE, region_id="44", all_sectors=True
    )
    gz = Organisation.objects.create(
        name="广州市安委办", kind=OrganisationKind.OFFICE, region_id="4401", all_sectors=True
    )
    th = Organisation.objects.create(
        name="天河区安委办", kind=OrganisationKind.OFFICE, region_id="440106", all_sectors=True
    )
    em = Organisation.objects.create(
        name="广州市应急管理局",
        kind=OrganisationKind.DEPARTMENT,
        department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
        region_id="4401",
    )
    em.sectors.set(["hazardous_chemicals", "industry_trade"])  # type: ignore[list-item]
    users = {
        "province": User.objects.create(username=names.province, role=Role.OFFICE, organisation=gd),
        "city": User.objects.create(username=names.city, role=Role.OFFICE, organisation=gz),
        "district": User.objects.create(username=names.district, role=Role.OFFICE, organisation=th),
        "sector": User.objects.create(username=names.sector, role=Role.INSPECTOR, organisation=em),
    }
    for user in users.values():
        user.set_password("bench")
        user.save(update_fields=["password"])
    return users


def bench_users() -> dict[str, Any]:
    from hazardledger.accounts.models import User

    names = BenchUsers()
    by_name = {u.username: u for u in User.objects.filter(username__in=vars(names).values())}
    return {key: by_name[name] for key, name in vars(names).items()}


# Bytes on disk per hazard (tables, indexes, rollups), measured at 1,000,000 hazards.
BYTES_PER_HAZARD = {True: 6_100, False: 4_500}
# Free space the load must leave for the machine's other work.
DISK_MARGIN = 15 * 1024**3


def disk_check(*, hazards: int, audit: bool) -> None:
    """Refuse to start when the database's disk would keep less than ``DISK_MARGIN`` free."""
    import shutil

    need = hazards * BYTES_PER_HAZARD[audit]
    free = shutil.disk_usage(
        "/var/lib/postgresql" if Path("/var/lib/postgresql").exists() else "/"
    ).free
    if free - need < DISK_MARGIN:
        raise SystemExit(
            f"not enough disk: about {need / 1024**3:.0f} GB needed, {free / 1024**3:.0f} GB free "
            f"(keeping {DISK_MARGIN / 1024**3:.0f} GB for other work); try --no-audit"
        )


def load(
    *,
    url: str,
    sites: int,
    hazards: int,
    workers: int,
    enterprises: int | None = None,
    audit: bool = True,
) -> dict[str, float]:
    """Build everything; returns the seconds each phase took."""
    import random

    from django.core.management import call_command
    from django.db import connection

    from hazardledger.accounts.models import Organisation
    from hazardledger.regions.choices import RegionLevel
    from hazardledger.regions.models import Region, Sector
    from hazardledger.registry.models import Site

    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    make_people()
    timings["migrate"] = time.perf_counter() - started
    connection.close()

    phase = time.perf_counter()
    rng = random.Random(15)
    townships = sorted(
        Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("code", flat=True)
    )
    sectors = sorted(Sector.objects.values_list("code", flat=True)) or list(SECTORS_FALLBACK)
    enterprises = enterprises or max(1, sites // 5)
    conn = connect(url)
    ddl = take_apart(conn, TABLES)
    org_start = conn.execute(
        "SELECT coalesce(max(id), 0) + 1 FROM accounts_organisation"
    ).fetchone()[0]
    now = datetime.now(UTC)
    org_line = row_shape(Organisation)
    org_template = org_line.template(
        {
            "id": "%(id)s",
            "created_at": "%(stamp)s",
            "updated_at": "%(stamp)s",
            "name": "基准企业%(id)s",
            "kind": "enterprise",
            "region_id": "%(region)s",
        }
    )
    org_region = [rng.choice(townships) for _ in range(enterprises)]
    stamp = copy_text(now)
    with conn.cursor() as cur, cur.copy(org_line.copy_sql) as copy:
        for low in range(0, enterprises, 10000):
            copy.write(
                "".join(
                    org_template % {"id": org_start + n, "stamp": stamp, "region": org_region[n]}
                    for n in range(low, min(low + 10000, enterprises))
                )
            )
    # Sites: four in five run by an enterprise, in its township; any sector.
    site_line = row_shape(Site)
    site_template = site_line.template(
        {
            "id": "%(id)s",
            "created_at": "%(stamp)s",
            "updated_at": "%(stamp)s",
            "name": "基准场所%(id)s",
            "kind": "factory",
            "sector_id": "%(sector)s",
            "region_code": "%(region)s",
            "address": "测试路%(id)s号",
            "organisation_id": "%(org)s",
            "status": "operating",
            "latitude": "%(lat)s",
            "longitude": "%(lng)s",
            "risk_level": "%(risk)s",
        }
    )
    # Nine sites in ten have coordinates (somewhere in Guangdong's box: the map's points) and
    # four in five a risk level, the more serious ones the rarer.
    risk_levels = ["major"] * 2 + ["large"] * 8 + ["general"] * 40 + ["low"] * 30 + [""] * 20
    site_region: list[str] = []
    site_sector: list[str] = []
    site_org: list[int] = []
    for n in range(sites):
        if n % 5:
            e = rng.randrange(enterprises)
            site_org.append(org_start + e)
            site_region.append(org_region[e])
        else:
            site_org.append(0)
            site_region.append(rng.choice(townships))
        site_sector.append(sectors[rng.randrange(len(sectors))])
    with conn.cursor() as cur, cur.copy(site_line.copy_sql) as copy:
        for low in range(0, sites, 10000):
            copy.write(
                "".join(
                    site_template
                    % {
                        "id": n + 1,
                        "stamp": stamp,
                        "sector": site_sector[n],
                        "region": site_region[n],
                        "org": site_org[n] or "\\N",
                        "lat": f"{20.2 + (n * 7919 % 5300) / 1000:.6f}" if n % 10 else "\\N",
                        "lng": f"{109.7 + (n * 104729 % 7600) / 1000:.6f}" if n % 10 else "\\N",
                        "risk": risk_levels[n * 31 % len(risk_levels)],
                    }
                    for n in range(low, min(low + 10000, sites))
                )
            )
    conn.commit()
    timings["organisations and sites"] = time.perf_counter() - phase

    phase = time.perf_counter()
    today = date.today()
    first_day = today - timedelta(days=800)
    ctx = build_ctx(today=today, sites=(site_region, site_sector, site_org))
    ctx.audit = audit
    self_check(ctx, Clock(first_day, 1000))
    ctx.audit_offset = conn.execute("SELECT coalesce(max(id), 0) FROM audit_auditevent").fetchone()[
        0
    ]
    conn.execute("TRUNCATE hazards_hazard")  # in this transaction: COPY … FREEZE may follow
    queue: Any = multiprocessing.get_context("fork").Queue(maxsize=64)
    bounds = [1 + hazards * k // workers for k in range(workers + 1)]
    jobs = [
        (url, ctx, first_day.toordinal(), 1000, bounds[k], bounds[k + 1], queue)
        for k in range(workers)
    ]
    fork = multiprocessing.get_context("fork")
    results = fork.Queue()
    processes = [fork.Process(target=_worker_main, args=(job, results)) for job in jobs]
    for process in processes:
        process.start()
    finished = 0
    with conn.cursor() as cur, cur.copy(ctx.hazard_copy + " WITH (FREEZE)") as copy:
        while finished < workers:
            chunk = queue.get()
            if chunk is None:
                finished += 1
                continue
            copy.write(chunk)
    conn.commit()
    counts = [results.get() for _ in processes]
    for process in processes:
        process.join()
    failed = [c for c in counts if isinstance(c, str)]
    if failed:
        raise SystemExit("a worker failed:\n" + "\n".join(failed))
    n_events = sum(e for _, e in counts)
    timings["hazards and events (COPY)"] = time.perf_counter() - phase
    print(f"  {hazards:,} hazards, {n_events:,} events", flush=True)

    phase = time.perf_counter()
    put_together(url, ddl)
    timings["indexes and constraints"] = time.perf_counter() - phase

    phase = time.perf_counter()
    for table in TABLES:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM (ANALYZE) registry_site, accounts_organisation")
    conn.execute("ANALYZE hazards_hazard")
    conn.execute("ANALYZE hazards_hazardevent")
    conn.close()
    timings["analyze"] = time.perf_counter() - phase
    return timings


def self_check(ctx: Ctx, clock: Clock, *, hazards: int = 5000) -> None:
    """Compare the builder's hashes with ``history.event_hash`` of a ``HazardEvent`` built from
    the same COPY line, for the first ``hazards`` hazards (every path is met among them);
    raises ``SystemExit`` on the first difference."""
    from hazardledger.hazards import history
    from hazardledger.hazards.models import HazardEvent

    shape = row_shape(HazardEvent)
    for hid in range(1, hazards + 1):
        for line in walk(ctx, clock, hid)[1]:
            values = dict(zip(shape.columns, line.rstrip("\n").split("\t"), strict=True))

            def number(column: str) -> int | None:
                text = values[column]  # noqa: B023 - used at once
                return None if text == "\\N" else int(text)

            event = HazardEvent(
                hazard_id=int(values["hazard_id"]),
                region_id=values["region_code"],
                seq=int(values["seq"]),
                action=values["action"],
                from_status=values["from_status"],
                to_status=values["to_status"],
                actor_id=number("actor_id"),
                actor_name=values["actor_name"],
                actor_role=values["actor_role"],
                organisation_id=number("organisation_id"),
                organisation_name=values["organisation_name"],
                created_at=datetime.fromisoformat(values["created_at"] + ":00"),
                reason=values["reason"],
                data=json.loads(values["data"]),
                format=int(values["format"]),
                changes=json.loads(values["changes"]),
                prev_hash=values["prev_hash"],
            )
            if history.event_hash(event) != values["hash"]:
                raise SystemExit(
                    "self-check failed: the builder's hash differs from the app's for "
                    f"{event.action} of hazard {event.hazard_id}:\n"
                    + history.canonical(event).decode()
                )


def verify_sample(*, size: int = 2000, audit: bool = True) -> tuple[int, int, list[Any]]:
    """Verify ``size`` hazards spread over the ledger, read back from the database. With
    ``audit``: the app's whole verification (``history.verify_all``: chains, the audit trail's
    entry of every event, the state replayed from the chain, plans, evidence). Without (a
    ledger built with ``--no-audit``): ``history.verify_chain`` of every sampled hazard and its
    replay (``history.replay``) against the row. Returns (hazards, events, problems)."""
    from hazardledger.hazards import history
    from hazardledger.hazards.models import Hazard, HazardEvent

    last = Hazard.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    step = max(1, last // size)
    ids = list(range(1, last + 1, step))[:size]
    if audit:
        n_hazards, n_events, found = history.verify_all(hazard_ids=ids)
        return n_hazards, n_events, list(found)
    events: dict[int, list[Any]] = {}
    for event in HazardEvent.objects.filter(hazard_id__in=ids).order_by("hazard_id", "seq"):
        events.setdefault(event.hazard_id, []).append(event)
    problems: list[Any] = []
    hazards = list(Hazard.objects.filter(pk__in=ids))
    for hazard in hazards:
        chain = events.get(hazard.pk, [])
        problems += history.verify_chain(
            hazard_id=hazard.pk, head=hazard.history_head, length=hazard.history_seq, events=chain
        )
        replayed, state = history.replay(chain), history.hazard_state(hazard)
        if replayed != state:
            diff = {k: (replayed.get(k), v) for k, v in state.items() if replayed.get(k) != v}
            problems.append(f"hazard {hazard.pk}: replay differs from the row: {diff}")
    return len(hazards), sum(len(chain) for chain in events.values()), problems


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-audit", action="store_true", help="leave out the events' audit entries (disk)"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    disk_check(hazards=args.hazards, audit=not args.no_audit)
    configure(url=url, fresh=True)
    started = time.perf_counter()
    timings = load(
        url=url,
        sites=args.sites,
        hazards=args.hazards,
        workers=args.workers,
        audit=not args.no_audit,
    )
    total = time.perf_counter() - started
    for name, seconds in timings.items():
        print(f"  {name:<28} {seconds:8.1f} s")
    print(f"  {'total':<28} {total:8.1f} s")
    n_hazards, n_events, problems = verify_sample(audit=not args.no_audit)
    print(f"verified {n_hazards:,} hazards ({n_events:,} events): {len(problems)} problems")
    for problem in problems[:10]:
        print(f"  {problem}")


if __name__ == "__main__":
    main()
