"""Shared plumbing: a dedicated database, timing with medians, the results file."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django(name: str) -> str:
    """Point Django at the bench database (never the demo one) and migrate it."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        (ROOT / "var").mkdir(exist_ok=True)
        url = f"sqlite:///{ROOT / 'var' / f'bench-{name}.sqlite3'}"
    elif url.startswith(("postgres://", "postgresql://")):
        url = _own_postgres_database(url, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buudien.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return str(connection.vendor)


def fresh_database(name: str) -> str:
    """Point Django at an empty database of the benchmark's own (dropped and made anew), not
    migrated: for a benchmark that times the migration itself."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        (ROOT / "var").mkdir(exist_ok=True)
        path = ROOT / "var" / f"bench-{name}.sqlite3"
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    elif url.startswith(("postgres://", "postgresql://")):
        url = _own_postgres_database(url, name, fresh=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buudien.settings")
    import django

    django.setup()
    from django.db import connection

    return str(connection.vendor)


def _own_postgres_database(url: str, name: str, *, fresh: bool = False) -> str:
    """Each benchmark gets its own database next to the given one, created when missing."""
    import psycopg

    base, _, dbname = url.rpartition("/")
    own = f"{dbname.split('?')[0]}_bench_{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{own}"')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [own]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{own}"')
    return f"{base}/{own}"


def median_time(fn: Callable[[], Any], *, repeat: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def write_result(
    *,
    name: str,
    database: str,
    n: int,
    median_s: float,
    baseline: str,
    baseline_median_s: float,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ratio = median_s / baseline_median_s if baseline_median_s else float("inf")
    result = {
        "name": name,
        "database": database,
        "n": n,
        "median_s": round(median_s, 6),
        "baseline": baseline,
        "baseline_median_s": round(baseline_median_s, 6),
        "ratio": round(ratio, 3),
        "machine": platform.node(),
        "python": platform.python_version(),
    } | (extra or {})
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if database == "sqlite" else f"-{database}"
    (RESULTS / f"{name}{suffix}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(
        f"{name} [{database}] n={n}: median {median_s * 1000:.2f} ms; baseline {baseline} "
        f"{baseline_median_s * 1000:.2f} ms; ratio {ratio:.2f}"
    )
    return result
