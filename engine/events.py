"""Kubernetes Events, recorded the way client-go's recorder does.

An event names the object it is about (``involvedObject``), a ``reason`` (``SuccessfulCreate``)
and a ``message`` (``create Pod web-0 in StatefulSet web successful``). Repeats of the same
(object, type, reason, message, source) within the series are folded into one Event whose
``count`` grows and whose ``lastTimestamp`` moves, as kubectl shows them (``3m (x2 over 5m)``).
"""

from __future__ import annotations

from typing import Any

from engine.objects import Obj, name_of, namespace_of, uid_of
from engine.store import Store

#: Events are garbage-collected after this many simulated seconds (kube-apiserver --event-ttl).
EVENT_TTL = 3600.0


class EventRecorder:
    """Writes Event objects into the store, folding repeats."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._series: dict[tuple[str, ...], tuple[str, str]] = {}
        self._counter = 0
        self._sources: dict[tuple[str, str], dict[str, str]] = {}
        self._last_involved: dict[str, Any] = {}
        self._last_ref: tuple[Any, ...] = ()

    def record(
        self,
        obj: Obj,
        type_: str,
        reason: str,
        message: str,
        component: str,
        *,
        host: str = "",
    ) -> Obj:
        """Record an event about ``obj``; returns the stored Event."""
        md = obj["metadata"]
        name = md["name"]
        uid = md.get("uid", "")
        namespace = md.get("namespace", "")
        ns = namespace or "default"
        involved = self._involved(obj)
        series_key = (obj["kind"], ns, name, uid, type_, reason, message, component)
        now = self.store.clock.timestamp()
        existing_ref = self._series.get(series_key)
        if existing_ref is not None:
            existing = self.store.get("Event", *existing_ref)
            if existing is not None:
                count = int(existing.get("count", 1)) + 1
                return self.store.update(
                    {**existing, "count": count, "lastTimestamp": now, "involvedObject": involved}
                )
        self._counter += 1
        stamp = int(self.store.clock.now() * 1e9) + self._counter
        event: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": f"{name}.{stamp:x}", "namespace": ns},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": self._source(component, host),
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": type_,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        # built here; shares only the read-only `source` and `involvedObject` of other events
        stored = self.store.create(event, adopt=True)
        self._series[series_key] = (ns, stored["metadata"]["name"])
        return stored

    def _involved(self, obj: Obj) -> dict[str, Any]:
        """The ``involvedObject`` reference to ``obj``: the same read-only dict for the events
        about one version of an object (a kubelet sync records several in a row)."""
        md = obj["metadata"]
        ref = (
            obj.get("apiVersion", "v1"),
            obj["kind"],
            md["name"],
            md.get("uid", ""),
            md.get("resourceVersion", ""),
            md.get("namespace", ""),
        )
        if ref == self._last_ref:
            return self._last_involved
        api_version, kind, name, uid, rv, namespace = ref
        involved: dict[str, Any] = {
            "apiVersion": api_version,
            "kind": kind,
            "name": name,
            "uid": uid,
            "resourceVersion": rv,
        }
        if namespace:
            involved["namespace"] = namespace
        self._last_ref = ref
        if involved == self._last_involved:
            return self._last_involved
        self._last_involved = involved
        return involved

    def _source(self, component: str, host: str) -> dict[str, str]:
        """The ``source`` of events from ``component`` on ``host``: one read-only dict per
        source, shared by its events (as the stored values they are)."""
        source = self._sources.get((component, host))
        if source is None:
            source = {"component": component, **({"host": host} if host else {})}
            self._sources[(component, host)] = source
        return source

    def normal(self, obj: Obj, reason: str, message: str, component: str, host: str = "") -> Obj:
        """Record a Normal event."""
        return self.record(obj, "Normal", reason, message, component, host=host)

    def warning(self, obj: Obj, reason: str, message: str, component: str, host: str = "") -> Obj:
        """Record a Warning event."""
        return self.record(obj, "Warning", reason, message, component, host=host)

    def for_object(self, obj: Obj) -> list[Obj]:
        """Events about ``obj`` (matched by uid), oldest first."""
        uid = uid_of(obj)
        events = [
            e
            for e in self.store.list("Event", namespace_of(obj) or "default")
            if e["involvedObject"].get("uid") == uid
        ]
        return sorted(events, key=lambda e: (e.get("firstTimestamp", ""), name_of(e)))
