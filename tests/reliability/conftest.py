"""How many random sequences the property tests run, and in how many shards.

A *profile* names the total number of sequences (each of up to 50 steps); the total is split
over :data:`SHARDS` independent hypothesis runs (``test_playground[shard-k]``), so
``pytest -n 2`` (pytest-xdist, on in the default options) runs them on both cores. Shard *k*
runs from the seed ``<run seed>/<k>`` (the run seed: ``--hypothesis-seed`` or drawn at random,
printed in the summary line; :mod:`tests.conftest`).

==========  =========  ===============================================================
profile     sequences  use
==========  =========  ===============================================================
``ci``          500    the default: ``pytest`` (CI, README)
``quick``        40    a smoke run while editing a rule or an invariant
``long``     20,000    the long run (tests/reliability/README.md)
==========  =========  ===============================================================

Select one with ``HYPOTHESIS_PROFILE=long``; ``PROPERTY_SEQUENCES=N`` asks for any other total
and ``PROPERTY_SHARDS=K`` for another split (more shards balance better on many cores). The
profile applies to the property tests of this directory only, not to every hypothesis test.
The run ends with a line counting the sequences and steps actually executed
(:mod:`tests.conftest`).
"""

from __future__ import annotations

import math
import os

from hypothesis import HealthCheck, settings

#: total sequences per profile
PROFILES = {"ci": 500, "quick": 40, "long": 20_000}
DEFAULT_PROFILE = "ci"
#: most steps in one sequence
STEPS = 50


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name}={raw!r}: expected a positive whole number")
    return int(raw)


def _profile_total() -> tuple[str, int]:
    name = os.environ.get("HYPOTHESIS_PROFILE", DEFAULT_PROFILE)
    if name not in PROFILES:
        raise ValueError(f"HYPOTHESIS_PROFILE={name!r}: expected one of {', '.join(PROFILES)}")
    return name, _positive("PROPERTY_SEQUENCES", PROFILES[name])


#: the selected profile's name and the total sequences asked for
PROFILE_NAME, SEQUENCES = _profile_total()
#: independent hypothesis runs sharing :data:`SEQUENCES`
SHARDS = _positive("PROPERTY_SHARDS", 4)
#: sequences each shard runs (at least; hypothesis counts the valid ones)
PER_SHARD = math.ceil(SEQUENCES / SHARDS)

#: the settings of one shard
PROFILE = settings(
    max_examples=PER_SHARD,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
