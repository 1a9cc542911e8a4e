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
    """The watch loop (one kind): list, then a row per event until the request timeout."""
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
    if p.text("output") not in ("", "wide"):
        raise error("only table output (-o wide) is supported with --watch in the playground")
    Watch(env, p, targets[0]).run(timeout)


class Watch:
    """One ``get -w``: which objects it shows and how it prints their rows."""

    def __init__(self, env: Env, p: Parsed, target: Target) -> None:
        self.env = env
        self.target = target
        self.wide = p.text("output") == "wide"
        self.with_ns = p.flag("all-namespaces")
        self.namespace = None if self.with_ns else env.namespace
        self.selector = selector_of(p.text("selector"))
        self.header_done = p.flag("no-headers")
        self.only_changes = p.flag("watch-only")
        self.writer = RowWriter()

    def matches(self, obj: Obj) -> bool:
        """Whether the watch shows ``obj``."""
        md = obj["metadata"]
        if self.target.names and md["name"] not in self.target.names:
            return False
        if self.namespace is not None and md.get("namespace", self.namespace) != self.namespace:
            return False
        return self.selector is None or self.selector(labels_of(obj))

    def emit(self, objs: list[Obj]) -> None:
        """Print rows (with the header before the first one)."""
        rows: list[list[str]] = []
        if not self.header_done:
            header = tables.headers(self.target.kind, self.wide)
            rows.append(["NAMESPACE", *header] if self.with_ns else header)
            self.header_done = True
        for obj in objs:
            row = tables.row(self.target.kind, obj, self.env.ctx, self.wide)
            rows.append([obj["metadata"].get("namespace", ""), *row] if self.with_ns else row)
        self.env.out(self.writer.render(rows))

    def on_event(self, ev: WatchEvent) -> None:
        """Store watch handler: a row per ADDED/MODIFIED/DELETED of a shown object."""
        if ev.kind == self.target.kind and self.matches(ev.obj):
            self.emit([ev.obj])

    def run(self, timeout: float) -> None:
        """List, then watch for ``timeout`` simulated seconds."""
        listed = self.env.list(self.target.kind, self.namespace, self.selector)
        initial = [o for o in listed if self.matches(o)]
        if initial and not self.only_changes:
            self.emit(initial)
        store = self.env.cluster.store
        store.subscribe(self.on_event, [self.target.kind])
        try:
            self.env.cluster.advance(timeout)
        finally:
            store.unsubscribe(self.on_event)
