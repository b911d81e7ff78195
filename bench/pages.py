"""Each main page of each role (tests/main_pages.py) on the full demo: the median server time
and the bytes on the wire on a first and on a repeat visit, each against its budget.

Server time: the page asked through Django's test client in this process (every middleware,
compression included, no network), as the role's demo user, the median of several runs. The
baseline for `ratio` is /healthz, a trivial page, timed the same way in the same run; the
summary's median is the median over the pages of their medians.

Bytes on the wire, as a browser that accepts "gzip, deflate, br" receives them from
`buudien serve` (static files collected, fingerprinted and compressed): the status line and
headers plus the body as sent. A first visit is the page and every stylesheet, script, image
and font it references; a repeat visit is the page alone, plus a 304 answer (headers only)
for each asset not cached for at least a day. The uncompressed page size is reported beside.

Budgets: 300 ms of server time; 30 KB on a first visit for the public look-up, 60 KB for the
other pages; 15 KB on a repeat visit. Runs on a copy of var/bench-demo.sqlite3 (made by
`python -m bench demo`), var/bench-pages.sqlite3, made anew at each run; the demo database is
never written.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench._common import ROOT, write_result

SOURCE = ROOT / "var" / "bench-demo.sqlite3"
COPY = ROOT / "var" / "bench-pages.sqlite3"
SERVER_BUDGET_S = 0.300
FIRST_BUDGET = {"public-lookup": 30 * 1024}
FIRST_BUDGET_OTHER = 60 * 1024
REPEAT_BUDGET = 15 * 1024
ACCEPT = "gzip, deflate, br"
DAY_S = 24 * 3600
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
SLOW_S = 2.0  # a page slower than this is timed three times, not RUNS times

_ASSET = re.compile(
    r"""<(?:link[^>]*\brel="(?:stylesheet|icon|preload)"[^>]*\bhref|script[^>]*\bsrc|img[^>]*\bsrc)="(/[^"]+)\""""
)
_CSS_URL = re.compile(r"""url\(\s*["']?(/[^"')]+)["']?\s*\)""")


def _setup() -> str:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: make it first with `python -m bench demo`.")
        sys.exit(2)
    for leftover in (COPY, COPY.with_name(COPY.name + "-wal"), COPY.with_name(COPY.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(SOURCE, COPY)
    os.environ["DATABASE_URL"] = f"sqlite:///{COPY}"
    os.environ.pop("BENCH_DATABASE_URL", None)
    # Served as `buudien serve` serves: fingerprinted, compressed static files of the bench's own.
    os.environ["BUUDIEN_STATIC_FINGERPRINTS"] = "1"
    os.environ["BUUDIEN_DATA_DIR"] = str(ROOT / "var" / "bench-pages")
    from bench._common import setup_django

    vendor = setup_django("pages")
    from buudien.cli import collect_static

    collect_static()
    return vendor


def _fetch(client: Any, url: str) -> tuple[Any, bytes]:
    """The answer and its body as sent (a file answer read to its end)."""
    response = client.get(url, HTTP_ACCEPT_ENCODING=ACCEPT)
    if not response.streaming:
        return response, response.content
    body = b"".join(response.streaming_content)
    response.close()
    return response, body


def _wire_bytes(response: Any, body: bytes) -> int:
    """Status line, headers and body."""
    head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2
    head += sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items())
    return head + len(body)


def _decoded(response: Any, body: bytes) -> str:
    import gzip

    import brotli

    encoding = response.get("Content-Encoding", "")
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    return str(body.decode(errors="replace"))


def _assets(client: Any, html: str) -> Iterator[tuple[str, Any, bytes]]:
    """Each asset the page references (and the fonts and images its stylesheets name), once."""
    seen: set[str] = set()
    todo = _ASSET.findall(html)
    while todo:
        url = todo.pop(0).split("#")[0]
        if url in seen:
            continue
        seen.add(url)
        response, body = _fetch(client, url)
        if url.endswith(".css") and response.status_code == 200:
            todo += _CSS_URL.findall(_decoded(response, body))
        yield url, response, body


def _max_age(response: Any) -> int:
    found = re.search(r"max-age=(\d+)", response.get("Cache-Control", ""))
    return int(found[1]) if found else 0


def _revalidation_bytes(client: Any, url: str, response: Any) -> int:
    """What asking again for an asset the browser holds but may not reuse unasked costs."""
    again = client.get(
        url, HTTP_ACCEPT_ENCODING=ACCEPT, HTTP_IF_NONE_MATCH=response.get("ETag", "")
    )
    again.close()
    return _wire_bytes(again, b"" if again.status_code == 304 else b"".join(again))


def _weigh(client: Any, path: str) -> dict[str, Any]:
    page, body = _fetch(client, path)
    html = _decoded(page, body)
    first = repeat = page_bytes = _wire_bytes(page, body)
    assets = []
    for url, response, asset in _assets(client, html):
        size = _wire_bytes(response, asset)
        first += size
        if response.status_code != 200 or _max_age(response) < DAY_S:
            repeat += _revalidation_bytes(client, url, response)
        assets.append({"url": url, "status": response.status_code, "bytes": size})
    return {
        "status": page.status_code,
        "html_bytes": len(html.encode()),
        "html_wire_bytes": page_bytes,
        "first_visit_bytes": first,
        "repeat_visit_bytes": repeat,
        "assets": assets,
    }


def _median_s(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()  # warm-up, also tells a slow page
    runs = 3 if time.perf_counter() - start > SLOW_S else RUNS
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _clients() -> tuple[dict[str, Any], dict[str, str]]:
    """A logged-in client per demo login, and the codes the paths' placeholders take."""
    from django.test import Client
    from tests.main_pages import MAIN_PAGES

    from buudien.core.models import User

    clients: dict[str, Any] = {"": Client()}
    codes: dict[str, str] = {}
    for role in {p.role for p in MAIN_PAGES if p.role}:
        user = User.objects.select_related("home_unit").get(username=role)
        clients[role] = Client()
        clients[role].force_login(user)
        unit = user.home_unit
        if unit is not None:
            kind = {"commune_point": "point", "area": "area", "province": "province"}
            if unit.kind in kind:
                codes[kind[unit.kind]] = unit.code
    return clients, codes


def _measure(client: Any, path: str, name: str) -> dict[str, Any]:
    first_budget = FIRST_BUDGET.get(name, FIRST_BUDGET_OTHER)
    try:
        row = _weigh(client, path)
        server_s = _median_s(lambda: client.get(path, HTTP_ACCEPT_ENCODING=ACCEPT))
    except Exception as exc:
        return {"name": name, "path": path, "error": repr(exc)[:300], "over": ["error"]}
    over = [
        label
        for label, value, budget in (
            ("server", server_s, SERVER_BUDGET_S),
            ("first", row["first_visit_bytes"], first_budget),
            ("repeat", row["repeat_visit_bytes"], REPEAT_BUDGET),
        )
        if value > budget
    ]
    if row["status"] != 200:
        over.append(f"status {row['status']}")
    return {"name": name, "path": path, "server_s": round(server_s, 4)} | row | {"over": over}


def _line(role: str, row: dict[str, Any]) -> str:
    if "error" in row:
        return f"  {row['name']:<26} {role or '-':<9} ERROR {row['error']}"
    budget = FIRST_BUDGET.get(row["name"], FIRST_BUDGET_OTHER) // 1024
    flag = "  OVER: " + ", ".join(row["over"]) if row["over"] else ""
    return (
        f"  {row['name']:<26} {role or '-':<9} {row['status']} "
        f"{row['server_s'] * 1000:7.1f} ms/300  first {row['first_visit_bytes'] / 1024:5.1f}"
        f"/{budget} KB  repeat {row['repeat_visit_bytes'] / 1024:5.1f}/15 KB"
        f"  (html {row['html_bytes'] / 1024:.1f} KB raw){flag}"
    )


def main() -> None:
    database = _setup()
    from tests.main_pages import MAIN_PAGES

    clients, codes = _clients()
    baseline_s = _median_s(lambda: clients[""].get("/healthz", HTTP_ACCEPT_ENCODING=ACCEPT))
    rows = []
    print(f"pages [{database}]: server time (median), bytes on the wire first / repeat visit")
    for page in MAIN_PAGES:
        row = _measure(clients[page.role], page.path.format(**codes), page.name)
        row["role"] = page.role
        print(_line(page.role, row))
        rows.append(row)
    over = [r for r in rows if r["over"]]
    timed = [r["server_s"] for r in rows if "server_s" in r]
    print(f"pages over budget: {len(over)} of {len(rows)}")
    for r in over:
        print(f"  {r['name']}: {', '.join(r['over'])}")
    write_result(
        name="pages",
        database=database,
        n=len(rows),
        median_s=statistics.median(timed) if timed else 0.0,
        baseline="/healthz",
        baseline_median_s=baseline_s,
        extra={
            "max_server_s": max(timed, default=0.0),
            "pages_over_budget": len(over),
            "server_budget_s": SERVER_BUDGET_S,
            "first_visit_budget_bytes": FIRST_BUDGET_OTHER,
            "public_first_visit_budget_bytes": FIRST_BUDGET["public-lookup"],
            "repeat_visit_budget_bytes": REPEAT_BUDGET,
            "pages": rows,
        },
    )


if __name__ == "__main__":
    main()
