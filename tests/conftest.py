"""Suite-wide hooks: heavy tests start first, and the property tests' real counts are summed.

* Tests marked ``heavy`` (the property-test shards, tens of seconds each) are moved to the front
  of the run, so pytest-xdist's workers each take some at once instead of one worker finding
  them all at the end of its queue (longest first balances the cores).
* Every property-test shard reports the sequences and steps it actually executed as a user
  property of its test report (:data:`tests.reliability.test_properties.TALLY`); reports reach
  the controlling process under xdist too, so the summary line adds up every worker's shards.
  It lives here, not in tests/reliability/conftest.py, because under xdist the controlling
  process loads only this top-level conftest.
* One *property seed* per run (``--hypothesis-seed`` when given, else drawn at random) is
  handed to every xdist worker; shard *k* runs from ``<seed>/<k>``. The summary line prints
  it, so ``--hypothesis-seed=<seed>`` replays every shard of a run exactly (hypothesis's own
  "reproduce with" advice would name a per-shard seed the option cannot give back).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

_SEED = pytest.StashKey[str]()

#: must match tests.reliability.test_properties.TALLY (not imported: the controller under
#: xdist must not import the engine)
TALLY = "property_tally"


class _Totals:
    failed = 0
    shards = 0
    sequences = 0
    steps = 0
    full = 0


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``heavy`` marker; settle the run's property seed."""
    config.addinivalue_line("markers", "heavy: a long test, started before the others")
    given: dict[str, Any] = getattr(config, "workerinput", {})
    if "property_seed" in given:  # an xdist worker: the controller's seed
        config.stash[_SEED] = str(given["property_seed"])
        return
    forced = config.getoption("hypothesis_seed", None)
    config.stash[_SEED] = (
        str(forced) if forced is not None else str(random.SystemRandom().getrandbits(32))
    )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Hand the controller's property seed to an xdist worker."""
    node.workerinput["property_seed"] = node.config.stash[_SEED]


@pytest.fixture
def property_seed(request: pytest.FixtureRequest) -> str:
    """The run's property seed (shard *k* runs from ``<seed>/<k>``)."""
    return request.config.stash[_SEED]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heavy tests first (a stable sort keeps every other order as collected)."""
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up the passed shards' tallies (sequences, steps, full-length sequences); a failed
    shard's tally also counts the runs that shrank its failure, so it is only counted apart."""
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == TALLY and not report.passed:
            _Totals.failed += 1
        elif key == TALLY:
            sequences, steps, full = value
            _Totals.shards += 1
            _Totals.sequences += sequences
            _Totals.steps += steps
            _Totals.full += full


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """One line: what the property tests really ran, and the seed that replays them."""
    if not _Totals.shards and not _Totals.failed:
        return
    mean = _Totals.steps / _Totals.sequences if _Totals.sequences else 0.0
    failed = f"; {_Totals.failed} shard(s) FAILED, not counted" if _Totals.failed else ""
    terminalreporter.write_line(
        f"property tests (--hypothesis-seed={config.stash[_SEED]}): "
        f"{_Totals.sequences:,} sequences run in {_Totals.shards} passed "
        f"shard(s), {_Totals.steps:,} steps (mean {mean:.1f}; {_Totals.full:,} sequences of the "
        f"full length){failed}"
    )
