"""Recorded terminal demos as data: the scenario format, its validation and a headless player.

* :mod:`engine.scenarios.model` — :class:`Scenario`, :class:`Step`, :class:`WaitFor`;
* :mod:`engine.scenarios.loader` — :func:`load_scenario` (clear errors naming file, step and
  field), :func:`scenario_names`;
* :mod:`engine.scenarios.conditions` — ``wait`` steps as predicates over a cluster;
* :mod:`engine.scenarios.player` — :func:`play`, the headless player on the virtual clock.

The app's player, caption bar and recorder live in ``tui/demo/`` and follow the same timeline.
"""

from engine.scenarios.loader import (
    SCENARIOS,
    ScenarioError,
    find_scenario,
    load_scenario,
    parse_scenario,
    scenario_names,
)
from engine.scenarios.model import Scenario, Step, WaitFor
from engine.scenarios.player import Playback, ScenarioFailed, StepResult, build_cluster, play

__all__ = [
    "SCENARIOS",
    "Playback",
    "Scenario",
    "ScenarioError",
    "ScenarioFailed",
    "Step",
    "StepResult",
    "WaitFor",
    "build_cluster",
    "find_scenario",
    "load_scenario",
    "parse_scenario",
    "play",
    "scenario_names",
]
