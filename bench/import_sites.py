"""Benchmark: import 10,000 sites from an xlsx file; prints sites per second.

    .venv/bin/python bench/import_sites.py              # SQLite (a scratch file in var/)
    .venv/bin/python bench/import_sites.py --postgres   # PostgreSQL (hazardledger_bench)
    .venv/bin/python bench/import_sites.py --rows 50000 --repeat 3

Each run starts from an empty, freshly migrated scratch database, builds the workbook first (not
timed), then times the whole import as a user would trigger it: reading the file, checking
every row and inserting all of them in one transaction. Then (issue 11) the same file is
imported again, which matches every row to its site and changes nothing, and a copy with a new
phone number on every tenth row, which updates those sites through ``site_update``. Results are
in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(postgres: bool) -> str:
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    if postgres:
        url = os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hazardledger_bench"
        )
        import psycopg

        admin, name = url.rsplit("/", 1)
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = ROOT / "var" / "bench-import.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    return url


def workbook(
    rows: int, townships: list[str], credit_codes: list[str], phone_every: int = 0
) -> bytes:
    """The sites file; with ``phone_every``, a contact phone column filled on every n-th row."""
    from openpyxl import Workbook

    rng = random.Random(7)
    kinds = ["工贸企业", "危险化学品生产企业", "人员密集场所", "加油加气站", "自建房"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("监管对象")
    header = ["名称", "类型", "行政区划代码", "地址", "经度", "纬度", "责任单位统一社会信用代码"]
    sheet.append([*header, "层数", *(["联系电话"] if phone_every else [])])
    for n in range(rows):
        kind = rng.choice(kinds)
        house = kind == "自建房"
        sheet.append(
            [
                f"基准测试场所{n}",
                kind,
                rng.choice(townships),
                f"测试路{n}号",
                round(113 + rng.random(), 6),
                round(23 + rng.random(), 6),
                "" if house else rng.choice(credit_codes),
                rng.randint(1, 8) if house else None,
                *([f"1380000{n:04d}" if n % phone_every == 0 else ""] if phone_every else []),
            ]
        )
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = configure(args.postgres)

    from django.core.management import call_command
    from django.db import connection

    from hazardledger.accounts.choices import OrganisationKind, Role
    from hazardledger.accounts.models import Organisation, User
    from hazardledger.regions.models import Region
    from hazardledger.registry.models import Site
    from hazardledger.registry.transfer import site_import_apply, site_import_plan

    def site_import(*, actor, handle, filename):
        """``registry.transfer.site_import``, timing its two steps (the page's preview, then
        the confirmation's writes)."""
        started = time.perf_counter()
        result = site_import_plan(actor=actor, handle=handle, filename=filename)
        planned = time.perf_counter()
        if result.ok:
            site_import_apply(actor=actor, result=result, filename=filename)
        print(
            f"  plan (read, check, match) {planned - started:.2f} s, "
            f"writes {time.perf_counter() - planned:.2f} s"
        )
        return result

    call_command("migrate", verbosity=0)
    office = Organisation.objects.create(
        name="广东省安委办", kind=OrganisationKind.OFFICE, region_id="44", all_sectors=True
    )
    user = User.objects.create(username="bench", organisation=office, role=Role.OFFICE)
    enterprises = Organisation.objects.bulk_create(
        Organisation(
            name=f"基准企业{n}",
            kind=OrganisationKind.ENTERPRISE,
            region_id="4401",
            credit_code=f"91440100MA{n:08d}",
        )
        for n in range(500)
    )
    townships = list(Region.objects.filter(level="township").values_list("code", flat=True))
    data = workbook(args.rows, townships, [e.credit_code for e in enterprises])
    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    print(f"file: {args.rows} rows, {len(data) / 1e6:.1f} MB xlsx")
    for attempt in range(1, args.repeat + 1):
        Site.objects.all().delete()
        started = time.perf_counter()
        result = site_import(actor=user, handle=io.BytesIO(data), filename="bench.xlsx")
        elapsed = time.perf_counter() - started
        assert result.ok and result.created == args.rows, result.errors[:5]
        print(f"run {attempt}: {elapsed:.2f} s, {args.rows / elapsed:,.0f} sites/s")

    # Issue 11: the same file again matches every row and writes nothing; an edited copy
    # updates the changed rows' sites (one ``site_update`` each, with its audit and event).
    started = time.perf_counter()
    again = site_import(actor=user, handle=io.BytesIO(data), filename="bench.xlsx")
    elapsed = time.perf_counter() - started
    assert again.ok and (again.created, again.updated) == (0, 0), again.errors[:5]
    print(f"same file again: {elapsed:.2f} s, {again.unchanged} rows unchanged")
    edited = workbook(args.rows, townships, [e.credit_code for e in enterprises], phone_every=10)
    started = time.perf_counter()
    changed = site_import(actor=user, handle=io.BytesIO(edited), filename="bench.xlsx")
    elapsed = time.perf_counter() - started
    assert changed.ok and changed.created == 0, changed.errors[:5]
    print(
        f"edited copy: {elapsed:.2f} s, {changed.updated} sites updated, "
        f"{changed.unchanged} unchanged"
    )


if __name__ == "__main__":
    main()
