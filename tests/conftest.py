"""Suite-wide hooks: heavy tests start first, and the property tests' real counts are summed.

* Tests marked ``heavy`` (the property-test shards, tens of seconds each) are moved to the front
  of the run, so pytest-xdist's workers each take some at once instead of one worker finding
  them all at the end of its queue (longest first balances the cores).
* Every property-test shard reports the sequences and steps it actually executed as a user
  property of its test report (:data:`tests.reliability.test_properties.TALLY`); reports reach
  the controlling process under xdist too, so the summary line adds up every worker's shards.
  It lives here, not in tests/reliability/conftest.py, because under xdist the controlling
  process loads only this top-level conftest.
"""

from __future__ import annotations

import pytest

#: must match tests.reliability.test_properties.TALLY (not imported: the controller under
#: xdist must not import the engine)
TALLY = "property_tally"


class _Totals:
    shards = 0
    sequences = 0
    steps = 0
    full = 0


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``heavy`` marker."""
    config.addinivalue_line("markers", "heavy: a long test, started before the others")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heavy tests first (a stable sort keeps every other order as collected)."""
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up the shards' tallies (sequences, steps, full-length sequences)."""
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == TALLY:
            sequences, steps, full = value
            _Totals.shards += 1
            _Totals.sequences += sequences
            _Totals.steps += steps
            _Totals.full += full


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line: what the property tests really ran."""
    if not _Totals.shards:
        return
    mean = _Totals.steps / _Totals.sequences if _Totals.sequences else 0.0
    terminalreporter.write_line(
        f"property tests: {_Totals.sequences:,} sequences run in {_Totals.shards} shard(s), "
        f"{_Totals.steps:,} steps (mean {mean:.1f}; {_Totals.full:,} sequences of the full "
        "length)"
    )
