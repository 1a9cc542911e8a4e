"""``kubectl events [--for TYPE/NAME] [--types=Normal,Warning] [-A]`` (pkg/cmd/events).

Unlike ``kubectl get events`` (API order), ``kubectl events`` sorts by time (last seen) and
prints ``LAST SEEN  TYPE  REASON  OBJECT  MESSAGE`` with ``Kind/name`` objects and
``3m (x2 over 5m)`` for repeated events.
"""

from __future__ import annotations

from engine.kubectl.env import Command, Env
from engine.kubectl.gosort import go_sort
from engine.kubectl.parse import Flag, Parsed, error
from engine.kubectl.resources import parse_targets
from engine.kubectl.table_ctx import Ctx
from engine.kubectl.tabwriter import table
from engine.objects import Obj

FLAGS = (
    Flag("for", "str", default=""),
    Flag("types", "strs"),
    Flag("all-namespaces", "bool", "A"),
    Flag("no-headers", "bool"),
    Flag("watch", "bool", "w"),
)


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    if p.flag("watch"):
        raise error("--watch is not supported for kubectl events in the playground")
    if p.args:
        raise error(f"unexpected args: {p.args}")
    types = [t.capitalize() for t in p.flags["types"]]
    for t in types:
        if t not in ("Normal", "Warning"):
            raise error(f"valid --types are Normal or Warning, got {t}")
    all_ns = p.flag("all-namespaces")
    events = env.list("Event", None if all_ns else env.namespace)
    if p.text("for"):
        events = _for(env, p.text("for"), events)
    if types:
        events = [e for e in events if e.get("type") in types]
    if not events:
        where = "" if all_ns else f" in {env.namespace} namespace"
        env.err(f"No events found{where}.\n")
        return
    go_sort(events, lambda x, y: event_time(x) < event_time(y))
    rows = [] if p.flag("no-headers") else [_header(all_ns)]
    rows += [_row(env.ctx, e, all_ns) for e in events]
    env.out(table(rows))


def event_time(ev: Obj) -> str:
    """SortableEvents' time: lastTimestamp, else eventTime (RFC 3339 strings sort as times)."""
    return str(ev.get("lastTimestamp") or ev.get("eventTime") or "")


def _for(env: Env, spec: str, events: list[Obj]) -> list[Obj]:
    targets = parse_targets([spec])
    if len(targets) != 1 or len(targets[0].names) != 1:
        raise error(f"--for must be in resource/name form: {spec}")
    kind, name = targets[0].kind, targets[0].names[0]
    return [
        e
        for e in events
        if (e.get("involvedObject") or {}).get("kind") == kind
        and (e.get("involvedObject") or {}).get("name") == name
    ]


def _header(all_ns: bool) -> list[str]:
    header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    return ["NAMESPACE", *header] if all_ns else header


def _row(ctx: Ctx, ev: Obj, all_ns: bool) -> list[str]:
    first = ctx.age(ev.get("firstTimestamp") or ev.get("eventTime"))
    count = int(ev.get("count") or 1)
    interval = first
    if count > 1:
        interval = f"{ctx.age(ev.get('lastTimestamp'))} (x{count} over {first})"
    inv = ev.get("involvedObject") or {}
    row = [
        interval,
        str(ev.get("type", "")),
        str(ev.get("reason", "")),
        f"{inv.get('kind', '')}/{inv.get('name', '')}",
        str(ev.get("message", "")).strip(),
    ]
    return [ev["metadata"].get("namespace", ""), *row] if all_ns else row


COMMAND = Command("events", FLAGS, run)
