"""Workloads panel: StatefulSets and Deployments with ready/desired, policy and revision."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual.binding import BindingType

from engine.store import Store
from tui.keys import bindings
from tui.rows import WORKLOAD_COLUMNS, Line, workload_lines
from tui.widgets.panel import ResourcePanel


class WorkloadsPanel(ResourcePanel):
    """StatefulSets and Deployments; ``+``/``-`` scale the selected one."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("workloads")
    TITLE = "Workloads"
    COLUMNS = WORKLOAD_COLUMNS
    KINDS = frozenset({"StatefulSet", "Deployment"})

    def build_lines(self, store: Store, namespace: str | None, now: datetime) -> list[Line]:
        """StatefulSets, then Deployments."""
        return workload_lines(store, namespace, now)

    def action_scale(self, delta: int) -> None:
        """Scale the selected workload by ``delta`` replicas."""
        self.request("scale", delta)
