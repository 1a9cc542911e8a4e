"""Hypothesis profiles for the reliability suite.

``ci`` (the default) runs 500 random sequences of up to 50 steps; ``long`` runs 20,000::

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

settings.register_profile("ci", max_examples=500, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("long", max_examples=20_000, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("quick", max_examples=30, **_COMMON)  # type: ignore[arg-type]
#: the profile the property tests run under
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
