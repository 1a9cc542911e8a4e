"""``kubectl get -w --request-timeout=DURATION`` on the virtual clock.

Real kubectl lists the objects, then prints one row per watch event (ADDED, MODIFIED and
DELETED alike — the deleted object's last state), until the request times out. Its tabwriter
*remembers* column widths across flushes, so later rows line up with the first table and
columns only grow. The simulation does exactly that while running simulated time forward for
the request timeout; without a timeout the watch would never end, so the playground asks for
one. The live app never blocks: its panels are the watch.
"""

from __future__ import annotations

from engine.kubectl import tables
from engine.kubectl.env import Env, selector_of
from engine.kubectl.parse import Parsed, error, parse_duration
from engine.kubectl.resources import Target
from engine.kubectl.waiting import can_wait
from engine.objects import Obj, labels_of
from engine.store import WatchEvent

PADDING = 3
MINWIDTH = 6


class RowWriter:
    """Rows aligned with remembered column widths (cli-runtime's RememberWidths)."""

    def __init__(self) -> None:
        self.widths: list[int] = []

    def render(self, rows: list[list[str]]) -> str:
        """Align ``rows`` with the remembered widths, growing them as needed."""
        for row in rows:
            for j, cell in enumerate(row[:-1]):
                want = max(MINWIDTH, len(cell) + PADDING)
                if j >= len(self.widths):
                    self.widths.append(want)
                else:
                    self.widths[j] = max(self.widths[j], want)
        lines = []
        for row in rows:
            cells = [c + " " * (self.widths[j] - len(c)) for j, c in enumerate(row[:-1])]
            lines.append("".join(cells) + row[-1])
        return "".join(line + "\n" for line in lines)


def run_watch(env: Env, p: Parsed, targets: list[Target]) -> None:
    """The watch loop (one kind)."""
    if len(targets) != 1:
        raise error(
            "watch is only supported on individual resources and resource collections - more "
            "than 1 resource was found"
        )
    if not can_wait(env):
        raise error("--watch is not available in the live app: the panels update by themselves")
    timeout = parse_duration(p.text("request-timeout") or "")
    if not timeout:
        raise error(
            "--watch never ends by itself: give it a --request-timeout (for example "
            "kubectl get pods -w --request-timeout=30s)"
        )
    target = targets[0]
    fmt = p.text("output")
    if fmt not in ("", "wide"):
        raise error("only table output (-o wide) is supported with --watch in the playground")
    namespace = None if p.flag("all-namespaces") else env.namespace
    selector = selector_of(p.text("selector"))
    writer = RowWriter()
    header = [*tables.headers(target.kind, fmt == "wide")]
    with_ns = p.flag("all-namespaces")
    if with_ns:
        header = ["NAMESPACE", *header]
    state = {"header": p.flag("no-headers")}

    def matches(obj: Obj) -> bool:
        md = obj["metadata"]
        if target.names and md["name"] not in target.names:
            return False
        if namespace is not None and md.get("namespace", namespace) != namespace:
            return False
        return selector is None or selector(labels_of(obj))

    def emit(objs: list[Obj]) -> None:
        rows = [] if state["header"] else [header]
        state["header"] = True
        for obj in objs:
            row = tables.row(target.kind, obj, env.ctx, fmt == "wide")
            rows.append([obj["metadata"].get("namespace", ""), *row] if with_ns else row)
        env.out(writer.render(rows))

    initial = [o for o in env.list(target.kind, namespace, selector) if matches(o)]
    if initial:
        emit(initial)

    def on_event(ev: WatchEvent) -> None:
        if ev.kind == target.kind and matches(ev.obj):
            emit([ev.obj])

    if not initial:
        state["header"] = p.flag("no-headers")
    env.cluster.store.subscribe(on_event, [target.kind])
    try:
        env.cluster.advance(timeout)
    finally:
        env.cluster.store.unsubscribe(on_event)
