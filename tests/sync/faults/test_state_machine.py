"""Random interleavings of offline work, syncs over a failing link, cuts and restorations,
driven by hypothesis against the same two processes throughout: at every step the province
holds nothing twice and nothing the laptop did not make; after a final clean sync, it holds
every operation exactly once and its rollups equal its entries."""

from __future__ import annotations

import os
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.sync.faults.checks import exactly_once, nothing_beyond
from tests.sync.faults.conftest import Pair
from tests.sync.faults.proxy import (
    DELAY,
    DROP_REPLY,
    DROP_REQUEST,
    LATE,
    PASS,
    TRUNCATE_REPLY,
    Faults,
)

pytestmark = pytest.mark.faults


class PointAndProvince(RuleBasedStateMachine):
    """The clerk works, the link comes and goes, syncs fail at random points."""

    pair: ClassVar[Pair]

    @rule(n=st.integers(1, 8), seed=st.integers(0, 10**6))
    def offline_work(self, n: int, seed: int) -> None:
        self.pair.laptop.work(n=n, seed=seed)

    @rule(
        fate=st.sampled_from([PASS, DROP_REQUEST, DROP_REPLY, TRUNCATE_REPLY, DELAY, LATE]),
        seed=st.integers(0, 10**6),
    )
    def sync(self, fate: str, seed: int) -> None:
        proxy = self.pair.proxy
        proxy.faults = None if fate == PASS else Faults(**{fate: 0.5}, late_by=1.0, seed=seed)
        self.pair.laptop.sync()
        proxy.faults = None

    def __init__(self) -> None:
        super().__init__()
        self.pair.proxy.reset()

    @precondition(lambda self: not self.pair.proxy.cut)
    @rule()
    def cut(self) -> None:
        self.pair.proxy.cut = True

    @precondition(lambda self: self.pair.proxy.cut)
    @rule()
    def restore(self) -> None:
        self.pair.proxy.cut = False

    @invariant()
    def nothing_twice_nor_invented(self) -> None:
        nothing_beyond(self.pair.laptop.db, self.pair.province_db, self.pair.baseline)

    def teardown(self) -> None:
        self.pair.proxy.reset()
        self.pair.proxy.settle()
        self.pair.laptop.sync_until_done()
        exactly_once(self.pair.laptop.db, self.pair.province_db, self.pair.baseline)


def test_random_interleavings_of_offline_work_syncs_and_faults(link: Pair) -> None:
    PointAndProvince.pair = link
    run_state_machine_as_test(
        PointAndProvince,
        settings=settings(
            # More on demand, to hunt: BUUDIEN_FAULT_EXAMPLES=200.
            max_examples=int(os.environ.get("BUUDIEN_FAULT_EXAMPLES", "8")),
            stateful_step_count=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
