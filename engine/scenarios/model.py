"""The scenario model: a demo as data.

A scenario (``demos/scenarios/NAME.yaml``) has a title, a one-line description, the manifests
it starts from (files under ``demos/manifests/``) and a list of steps. Each step does exactly
one thing:

* ``caption`` — text shown in the caption bar (printed as a ``#`` comment headlessly);
* ``command`` — one line of the command language (:mod:`engine.kubectl`), optionally with
  ``expect`` (text the output must contain, so a demo checks itself);
* ``keys`` — keys pressed in the app, with the panel to ``focus``, the row to ``select`` and the
  ``equivalent`` command the headless player runs instead (keys need the app); keys that only
  move around the view (``escape``, ``tab``, arrows) need none;
* ``pause`` — let simulated time pass;
* ``wait`` — ``kubectl wait``-style: until ``object`` meets ``for`` (``condition=NAME[=VALUE]``
  or ``delete``) within ``timeout``;
* ``pin`` — pin a DNS query (``nslookup nginx``) in the app's nslookup pane.

After every visible action (command, keys, pin) ``beat`` simulated seconds pass, so the viewer
can read the result; every player (headless, live app, recorder) follows the same simulated
timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["caption", "command", "keys", "pause", "wait", "pin"]

#: the action fields a step may have (exactly one)
ACTIONS: tuple[Kind, ...] = ("caption", "command", "keys", "pause", "wait", "pin")

#: panels a keys step may focus (their table ids are ``#<panel>-table``)
PANELS = ("workloads", "pods", "events", "services", "volumes")


@dataclass(frozen=True)
class WaitFor:
    """``wait``: until ``kind``/``name`` meets the condition, or ``timeout`` simulated s pass."""

    kind: str
    name: str
    condition: str | None
    """Condition type (``Ready``); None for ``delete``."""
    value: str = "True"
    timeout: float = 30.0

    @property
    def deleting(self) -> bool:
        """Waiting for the object to go."""
        return self.condition is None

    def describe(self) -> str:
        """``kubectl wait`` words for this wait."""
        spec = "delete" if self.deleting else f"condition={self.condition}"
        if self.condition is not None and self.value.lower() != "true":
            spec += f"={self.value}"
        return f"--for={spec} {self.kind.lower()}/{self.name} --timeout={self.timeout:g}s"


@dataclass(frozen=True)
class Step:
    """One step; ``kind`` says which of the fields applies. ``number`` is 1-based."""

    number: int
    kind: Kind
    text: str = ""
    """caption text, command line or pinned query"""
    expect: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    focus: str | None = None
    select: tuple[str, str] | None = None
    """(kind, name) of the row to select before pressing the keys"""
    equivalent: str = ""
    seconds: float = 0.0
    wait: WaitFor | None = None

    @property
    def visible(self) -> bool:
        """Whether a ``beat`` follows this step."""
        return self.kind in ("command", "keys", "pin")

    def summary(self) -> str:
        """One line naming the step (for transcripts and the caption bar's counter)."""
        if self.kind == "keys":
            return "keys " + " ".join(self.keys)
        if self.kind == "pause":
            return f"pause {self.seconds:g}s"
        if self.kind == "wait" and self.wait is not None:
            return "wait " + self.wait.describe()
        if self.kind == "pin":
            return "pin " + self.text
        return self.text


@dataclass(frozen=True)
class Scenario:
    """A demo: where it starts and what it does."""

    name: str
    path: Path
    title: str
    description: str
    manifests: tuple[Path, ...]
    steps: tuple[Step, ...]
    beat: float = 1.0
    seed: int = 0
    nodes: int = 3
    namespace: str = "default"
    settle: bool = True
    """Start from the settled cluster (False: watch the manifests come up)."""
    speed: float = 1.0
    """Default playing speed (simulated seconds per real second) in the app and recordings."""
    gallery: int = 0
    """The step whose screen is the demo's picture in the README gallery (default: the last)."""

    def captions(self) -> list[str]:
        """Every caption, in order."""
        return [s.text for s in self.steps if s.kind == "caption"]
