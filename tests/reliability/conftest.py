"""Hypothesis profiles for the reliability suite.

``suite`` (the default in ``pytest``) runs 100 random sequences of up to 50 steps, which keeps
the whole suite inside its 5-minute budget on 2 cores; ``ci`` runs 500 (about two minutes of
CPU here) and ``long`` 20,000::

    HYPOTHESIS_PROFILE=ci pytest tests/reliability/test_properties.py -q
    HYPOTHESIS_PROFILE=long pytest tests/reliability/test_properties.py -q

A fixed seed: ``--hypothesis-seed=N``. The profile applies to the property tests of this
directory only (``PROFILE``), not to every hypothesis test of the suite.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "database": None,
    "stateful_step_count": 50,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
    "derandomize": False,
}

settings.register_profile("suite", max_examples=100, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("ci", max_examples=500, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("long", max_examples=20_000, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("quick", max_examples=30, **_COMMON)  # type: ignore[arg-type]
#: the profile the property tests run under
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
