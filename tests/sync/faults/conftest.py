"""Fixtures of the fault tests: one province process, the proxy, one enrolled laptop with its
clerk's driver, shared by the fault tests of a session (what they check is cumulative: each
test ends with everything synced and checks it all again)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sync.faults.checks import Baseline
from tests.sync.faults.processes import (
    Laptop,
    Server,
    Template,
    copy_province,
    running,
    serve,
    template,
)
from tests.sync.faults.proxy import FaultProxy


@dataclass
class Pair:
    """The province and a point's laptop, the proxy between them."""

    province: Server
    proxy: FaultProxy
    laptop: Laptop
    baseline: Baseline
    facts: dict[str, object]

    @property
    def province_db(self) -> Path:
        return self.province.data_dir / "buudien.sqlite3"


@pytest.fixture(scope="session")
def small_province(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return template(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def pair(small_province: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("faults")
    province_dir = copy_province(small_province, root / "province")
    baseline = Baseline.of(province_dir / "buudien.sqlite3")
    province = serve(province_dir, "--no-sync")
    proxy = FaultProxy(province.port)
    laptop = Laptop(root / "laptop")
    laptop.data_dir.mkdir()
    with running(province, proxy, laptop):
        laptop.enroll(proxy.url, str(small_province.facts["code"]))
        laptop.start()
        yield Pair(province, proxy, laptop, baseline, small_province.facts)


@pytest.fixture
def link(pair: Pair) -> Iterator[Pair]:
    """The pair, with a clean link at the start and the end of the test."""
    pair.proxy.reset()
    yield pair
    pair.proxy.reset()
