"""Pure presentation vocabulary: styled cells, phase symbols, ages, sort keys.

Nothing here imports Textual, so it is unit-tested directly. A cell is either a plain ``str``
or a :class:`Styled` value whose ``tag`` names a style; the widgets turn tags into colours
defined in ``playground.tcss`` (component classes ``tag--<tag>``), so dark and light themes
both read well and no colour is hard-coded in Python.

Status is never shown by colour alone: every status cell starts with a symbol.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

from rich.cells import cell_len

from engine.format import human_duration, pod_status_column
from engine.objects import Obj, annotations_of, is_pod_ready
from engine.pod_runtime import READINESS_ANNOTATION

#: Tags a cell may carry; each has a ``tag--<name>`` style in playground.tcss.
TAGS = ("ok", "warn", "bad", "pending", "term", "done", "dim", "added", "removed", "accent")


class Styled(NamedTuple):
    """A cell with a style tag (one of :data:`TAGS`)."""

    text: str
    tag: str


Cell = str | Styled
Row = tuple[Cell, ...]

#: symbol legend, shown on the help screen
SYMBOLS: dict[str, tuple[str, str]] = {
    "ok": ("●", "running and ready / bound / healthy"),
    "warn": ("◐", "running but not ready / progressing"),
    "pending": ("○", "pending, creating, waiting"),
    "term": ("◌", "terminating"),
    "bad": ("✖", "failed, crashing, lost, NXDOMAIN; after a node name: kubelet stopped"),
    "done": ("✔", "completed"),
}

_BAD_REASONS = (
    "CrashLoopBackOff",
    "Error",
    "ErrImagePull",
    "ImagePullBackOff",
    "Failed",
    "Unknown",
    "OOMKilled",
    "ContainerCannotRun",
    "CreateContainerError",
    "InvalidImageName",
)


def plain(cell: Cell) -> str:
    """The text of a cell."""
    return cell.text if isinstance(cell, Styled) else cell


@lru_cache(maxsize=1024)
def symbolled(tag: str, text: str) -> Styled:
    """``text`` prefixed with the symbol of ``tag`` (one shared value per pair: rows of a
    large table mostly repeat a few statuses)."""
    return Styled(f"{SYMBOLS[tag][0]} {text}", tag)


def pod_status_tag(pod: Obj) -> tuple[str, str]:
    """(tag, kubectl STATUS text) for a pod."""
    status = pod_status_column(pod)
    if status == "Terminating":
        return "term", status
    if status in ("Completed", "Succeeded"):
        return "done", status
    if status in _BAD_REASONS or status.startswith(("ExitCode:", "Signal:", "Init:Error")):
        return "bad", status
    if status == "Running":
        return ("ok" if is_pod_ready(pod) else "warn"), status
    return "pending", status


def pod_status_cell(pod: Obj) -> Styled:
    """STATUS with symbol; a ⚑ marks an injected readiness-probe failure."""
    tag, status = pod_status_tag(pod)
    if readiness_faulted(pod):
        status += " ⚑"
    return symbolled(tag, status)


def readiness_faulted(pod: Obj) -> bool:
    """Whether the pod carries the readiness-fault annotation."""
    return annotations_of(pod).get(READINESS_ANNOTATION) == "fail"


@lru_cache(maxsize=65536)
def _parse(ts: str) -> float:
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def seconds_since(ts: str | None, now: datetime) -> float | None:
    """Seconds from the RFC 3339 timestamp ``ts`` to ``now`` (None without a timestamp)."""
    if not ts:
        return None
    return now.timestamp() - _parse(ts)


def age(ts: str | None, now: datetime) -> str:
    """kubectl's AGE for an RFC 3339 timestamp at simulated time ``now``."""
    return _age(ts, now) if ts else "<unknown>"


@lru_cache(maxsize=4096)
def _age(ts: str, now: datetime) -> str:
    """Objects created together share a timestamp, so a table's ages repeat."""
    return human_duration(now.timestamp() - _parse(ts))


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[object, ...]:
    """Sort key that orders ``web-2`` before ``web-10``.

    ``re.split`` with a capturing group alternates text and digit runs (text first, possibly
    empty), so the odd positions are exactly the numbers: no per-part test is needed.
    """
    parts: list[object] = _DIGITS.split(text)
    parts[1::2] = map(int, parts[1::2])  # type: ignore[arg-type]
    return tuple(parts)


_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def text_width(text: str) -> int:
    """Terminal cells ``text`` takes: ``len`` for ASCII (the common case); otherwise one per
    ASCII character plus Rich's width of the rest, which is short and repeats (``├ └ ● …``)
    so Rich's cache answers it, where whole strings like ``├ web-42`` are all different."""
    if text.isascii():
        return len(text)
    rest = _ASCII_RUNS.sub("", text)
    return len(text) - len(rest) + cell_len(rest)


def short_uid_name(name: str, keep: int = 12) -> str:
    """``pvc-3f6c1a2e-8b4d-…`` shortened to ``pvc-3f6c1a2e…`` (full name in describe)."""
    return name if len(name) <= keep + 1 else name[:keep] + "…"


def clock_text(now: datetime) -> str:
    """The simulated wall clock as the status bar shows it."""
    return now.strftime("%H:%M:%S")


def speed_text(speed: float) -> str:
    """``×1``, ``×4``, ``×0.25``."""
    return f"×{speed:g}"
