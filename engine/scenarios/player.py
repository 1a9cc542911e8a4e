"""The headless player: a scenario over the command language on the virtual clock.

No Textual: commands run through :func:`engine.kubectl.run`, keys steps run their
``equivalent`` command, pinned queries run once, captions are printed as ``#`` comments. The
simulated timeline is the one every player follows (:mod:`engine.scenarios.model`), so the
final state here is the final state of the live and recorded demo. A step that fails (a command
exiting non-zero, output missing an ``expect`` text, a wait timing out) stops the playback
with :class:`ScenarioFailed` naming file and step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from engine import kubectl
from engine.clock import RealClock, VirtualClock
from engine.cluster import Cluster
from engine.scenarios.conditions import Before, met_line, timeout_message, wait_predicate
from engine.scenarios.model import Scenario, Step

#: how many timers a settle on a paused real clock may fire before giving up
SETTLE_LIMIT = 100_000
#: simulated seconds a settle may take (as ``Cluster.settle``'s default timeout)
SETTLE_SECONDS = 3600.0


class ScenarioFailed(RuntimeError):
    """A step did not do what the scenario says: ``file: step N: message``."""

    def __init__(self, scenario: Scenario, step: Step, message: str) -> None:
        super().__init__(f"{scenario.path}: step {step.number}: {message}")
        self.scenario, self.step, self.message = scenario, step, message


@dataclass
class StepResult:
    """What one step printed (commands, keys' equivalents, pins, waits) and when it ended."""

    step: Step
    output: str = ""
    code: int = 0
    time: float = 0.0


@dataclass
class Playback:
    """A finished headless run: the cluster in its final state and every step's result."""

    scenario: Scenario
    cluster: Cluster
    results: list[StepResult] = field(default_factory=list)

    def output_of(self, number: int) -> str:
        """Output of step ``number`` (1-based)."""
        return self.results[number - 1].output


def build_cluster(scenario: Scenario, clock: VirtualClock | RealClock | None = None) -> Cluster:
    """A cluster with the scenario's manifests applied (and settled, unless ``settle: false``).

    On a real clock "settled" means fast-forwarded: the clock is paused, stepped timer by timer
    until nothing is pending, and resumed.
    """
    cluster = Cluster(seed=scenario.seed, nodes=scenario.nodes, clock=clock)
    for path in scenario.manifests:
        cluster.apply(str(path), namespace=scenario.namespace)
    if scenario.settle:
        settle_any(cluster)
    return cluster


def settle_any(cluster: Cluster) -> None:
    """Settle the cluster on either clock."""
    clock = cluster.clock
    if not isinstance(clock, RealClock):
        cluster.settle()
        return
    was_paused = clock.paused
    clock.pause()
    deadline = clock.now() + SETTLE_SECONDS
    for _ in range(SETTLE_LIMIT):
        due = clock.next_due()
        if due is None or due > deadline or not cluster.step():
            break
    if not was_paused:
        clock.resume()


def run_step_command(cluster: Cluster, scenario: Scenario, step: Step, line: str) -> StepResult:
    """Run a command (or a keys step's equivalent) and check its exit status and ``expect``."""
    result = kubectl.run(cluster, line, scenario.namespace)
    outcome = StepResult(step, result.text, result.code)
    check_output(scenario, step, outcome)
    return outcome


def check_output(scenario: Scenario, step: Step, outcome: StepResult) -> None:
    """Raise :class:`ScenarioFailed` if the step failed or lacks an expected text."""
    if outcome.code:
        last = outcome.output.strip().splitlines()[-1:] or [""]
        raise ScenarioFailed(scenario, step, f"exit status {outcome.code}: {last[0]}")
    for text in step.expect:
        if text not in outcome.output:
            raise ScenarioFailed(scenario, step, f"output does not contain {text!r}")


def play(
    scenario: Scenario, *, out: TextIO | None = None, cluster: Cluster | None = None
) -> Playback:
    """Play ``scenario`` headlessly on a virtual clock; returns the final state and outputs.

    Args:
        scenario: the validated scenario.
        out: where to write a transcript (captions as ``# …``, commands as ``$ …``).
        cluster: a prepared cluster (default: :func:`build_cluster` on a VirtualClock).
    """
    cluster = cluster or build_cluster(scenario)
    playback = Playback(scenario, cluster)
    before = Before(scenario)
    for step in scenario.steps:
        if step.kind in ("command", "keys"):
            before.command(cluster, step)
        outcome = _play_step(cluster, scenario, step, before)
        if step.visible:
            cluster.advance(scenario.beat)
        outcome.time = cluster.clock.now()
        playback.results.append(outcome)
        if out is not None:
            out.write(transcript(step, outcome))
            out.flush()
    return playback


def _play_step(cluster: Cluster, scenario: Scenario, step: Step, before: Before) -> StepResult:
    if step.kind == "command":
        return run_step_command(cluster, scenario, step, step.text)
    if step.kind == "keys":
        if not step.equivalent:  # view-only keys: nothing happens in the cluster
            return StepResult(step)
        return run_step_command(cluster, scenario, step, step.equivalent)
    if step.kind == "pin":
        result = kubectl.run(cluster, step.text, scenario.namespace)
        return StepResult(step, result.text, result.code)
    if step.kind == "pause":
        cluster.advance(step.seconds)
    elif step.kind == "wait" and step.wait is not None:
        met = wait_predicate(cluster, scenario.namespace, step.wait, before)
        if not cluster.run_until(met, timeout=step.wait.timeout):
            raise ScenarioFailed(scenario, step, timeout_message(step.wait))
        return StepResult(step, met_line(step.wait))
    return StepResult(step)


def transcript(step: Step, outcome: StepResult) -> str:
    """How a step reads in a headless transcript."""
    if step.kind == "caption":
        return "".join(f"# {line}\n" for line in step.text.splitlines())
    if step.kind == "pause":
        return f"$ sleep {step.seconds:g}\n"
    shown = {
        "command": step.text,
        "keys": f"{step.equivalent or '(view only)'}    # keys: {' '.join(step.keys)}",
        "pin": f"{step.text}    # pinned",
        "wait": f"kubectl wait {step.wait.describe() if step.wait else ''}",
    }[step.kind]
    output = outcome.output
    return f"$ {shown}\n{output}" + ("" if not output or output.endswith("\n") else "\n")
