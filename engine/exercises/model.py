"""The shape of a workshop exercise, once its YAML file has been validated.

An exercise is data: a title, a Markdown introduction, the starting manifests (files under
``demos/manifests/`` or inline YAML), optional setup commands that bring the cluster into the
state the exercise starts from (a fault, a broken rollout), and ordered tasks. Each task has a
Markdown description, declarative checks (:mod:`engine.exercises.checks`), hints revealed one
at a time, and the exercise carries a reference solution written in the command language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    """One declarative check: its ``type`` and the validated fields of that type."""

    type: str
    fields: dict[str, Any]
    where: str = ""
    """``task 2, check 1`` — for messages."""


@dataclass(frozen=True)
class Task:
    """One step of an exercise; done when every check passes."""

    number: int
    title: str
    description: str
    checks: tuple[Check, ...]
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManifestSource:
    """A starting manifest: a file under ``demos/manifests/`` or inline YAML."""

    file: str | None = None
    inline: str | None = None

    @property
    def label(self) -> str:
        """How messages name it."""
        return self.file or "inline manifest"


@dataclass(frozen=True)
class Exercise:
    """A validated exercise."""

    name: str
    source: str
    title: str
    introduction: str
    tasks: tuple[Task, ...]
    solution: str
    manifests: tuple[ManifestSource, ...] = ()
    setup: str = ""
    namespace: str = "default"
    nodes: int = 3
