"""Pods panel: name, ready, status (symbol + colour), restarts, IP, node, age, owner.

Rows are grouped by owner (``sts/web`` pods together, in ordinal order); ``/`` filters by any
column, so ``/sts/web`` shows one workload's pods. Keys inject the playground's faults.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual.binding import BindingType

from engine.objects import is_pod_ready
from engine.store import Store
from tui.keys import bindings
from tui.rows import POD_COLUMNS, Line, pod_lines
from tui.widgets.panel import ResourcePanel


class PodsPanel(ResourcePanel):
    """Every pod of the namespace; ``r`` ``x`` ``n`` inject faults into the selected one,
    ``+``/``-`` scale the workload that owns it."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("pods")
    TITLE = "Pods"
    COLUMNS = POD_COLUMNS
    KINDS = frozenset({"Pod", "Node"})

    def build_lines(self, store: Store, namespace: str | None, now: datetime) -> list[Line]:
        """Pods grouped by owner."""
        return pod_lines(store, namespace, now, self.memo)

    def summary(self, lines: list[Line]) -> str:
        """``3 pods · 2 ready``."""
        pods = self.cluster.store.list("Pod", self.namespace)
        ready = sum(1 for p in pods if is_pod_ready(p))
        return f"{len(pods)} pod{'' if len(pods) == 1 else 's'} · {ready} ready"

    def action_scale(self, delta: int) -> None:
        """Scale the selected pod's workload by ``delta`` replicas."""
        self.request("scale", delta)

    def action_toggle_readiness(self) -> None:
        """Make the selected pod's readiness probe fail, or pass again."""
        self.request("toggle_readiness")

    def action_crash(self) -> None:
        """Crash the selected pod's container."""
        self.request("crash")

    def action_toggle_node(self) -> None:
        """Take the selected pod's node down, or bring it back."""
        self.request("toggle_node")
