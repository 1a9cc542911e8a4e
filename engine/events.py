"""Kubernetes Events, recorded the way client-go's recorders do.

An event names the object it is about (``involvedObject``), a ``reason`` (``SuccessfulCreate``)
and a ``message`` (``create Pod web-0 in StatefulSet web successful``).

Which recorder a component uses decides what becomes of its events, as in Kubernetes 1.35:

* **core/v1 recorders** (``k8s.io/client-go/tools/record``): the kube-controller-manager's
  controllers (statefulset-, replicaset-, deployment-, persistentvolume-, node-, taint-eviction-
  controller, volume expansion), the kubelet and the storage sidecars. Each event goes through
  an :class:`~engine.event_correlator.EventCorrelator` (one per recording process, that is per
  component and host): repeats count on one Event (``count``, ``lastTimestamp``: kubectl's
  ``3m (x2 over 5m)``), the 10th distinct message of one reason about one object within 600 s
  becomes a ``(combined from similar events): …`` Event that the rest count on, and a source
  may write only 25 events about one object, then one per 300 s: the rest are dropped.
* **events.k8s.io recorders** (``k8s.io/client-go/tools/events``): kube-scheduler
  (``default-scheduler``, :data:`EVENTS_API_COMPONENTS`). Its broadcaster has no aggregation
  and no spam filter: it folds *isomorphic* events (same type, action, reason, reporting
  controller and instance, regarding and related objects; the note is not part of the key)
  into an ``EventSeries`` whose count it writes at the second occurrence and then every 30 min
  or when the series ends (6 min quiet). The playground keeps these Events in the core/v1
  shape the rest of the engine and kubectl read (``source``, ``count``, ``lastTimestamp``) and
  counts each exact repeat immediately: the same Events a learner sees, with the count current
  instead of refreshed every half hour. The scheduler's events are per pod (``Scheduled``
  once, ``FailedScheduling`` on retries), so the difference shows only on a pod that stays
  unschedulable.

Names are ``<involved name>.<hex nanoseconds>`` (client-go's ``makeEvent``), made unique with a
counter since many events share one virtual instant.
"""

from __future__ import annotations

import random
from typing import Any

from engine.event_correlator import EventCorrelator, event_key
from engine.objects import Obj, name_of, namespace_of, uid_of
from engine.store import Store

#: Events are garbage-collected after this many simulated seconds (kube-apiserver --event-ttl).
EVENT_TTL = 3600.0

#: components that record through the events.k8s.io API (no correlator), see the module doc
EVENTS_API_COMPONENTS = frozenset({"default-scheduler"})


class EventRecorder:
    """Writes Event objects into the store as the components' recorders would.

    Args:
        store: where Events are written.
        rng: the seeded source for the correlators' random choices (which remembered message
            an aggregation forgets); a fixed one when omitted.
    """

    def __init__(self, store: Store, rng: random.Random | None = None) -> None:
        self.store = store
        self._rng = rng or random.Random("events")
        self._series: dict[str, tuple[str, str]] = {}
        self._correlators: dict[tuple[str, str], EventCorrelator] = {}
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
    ) -> Obj | None:
        """Record an event about ``obj``; returns the stored Event, or None when the source's
        spam filter dropped it."""
        md = obj["metadata"]
        now = self.store.clock.timestamp()
        event: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": self._event_name(md["name"]),
                "namespace": md.get("namespace", "") or "default",
            },
            "involvedObject": self._involved(obj),
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
        if component in EVENTS_API_COMPONENTS:
            return self._record_series(event)
        correlator = self.correlator(component, host)
        result = correlator.correlate(event, self.store.clock.now())
        if result is None:
            return None
        written, state_key = self._write(result[0]), result[1]
        if state_key is not None:
            correlator.update_state(written, state_key)
        return written

    def correlator(self, component: str, host: str = "") -> EventCorrelator:
        """The correlator of the process recording as ``component`` on ``host``."""
        correlator = self._correlators.get((component, host))
        if correlator is None:
            correlator = EventCorrelator(self._rng, self._event_name)
            self._correlators[(component, host)] = correlator
        return correlator

    def _event_name(self, involved_name: str) -> str:
        self._counter += 1
        stamp = int(self.store.clock.now() * 1e9) + self._counter
        return f"{involved_name}.{stamp:x}"

    def _write(self, event: Obj) -> Obj:
        """``recordEvent``: patch the Event a repeat names (``count``, ``lastTimestamp`` and
        ``message`` only), or create it when it is new or was deleted meanwhile."""
        if int(event["count"]) > 1:
            md = event["metadata"]
            existing = self.store.get("Event", md["namespace"], md["name"])
            if existing is not None:
                patched = {
                    **existing,
                    "count": event["count"],
                    "lastTimestamp": event["lastTimestamp"],
                    "message": event["message"],
                }
                return self.store.update(patched, adopt=True)  # built here from stored values
        # built here; shares only the read-only `source` and `involvedObject` of other events
        return self.store.create(event, adopt=True)

    def _record_series(self, event: Obj) -> Obj:
        """The events.k8s.io recorder's folding, as the module doc describes."""
        key = event_key(event)
        ref = self._series.get(key)
        existing = self.store.get("Event", *ref) if ref is not None else None
        if existing is not None:
            count = int(existing.get("count", 1)) + 1
            patched = {**existing, "count": count, "lastTimestamp": event["lastTimestamp"]}
            return self.store.update(patched, adopt=True)
        stored = self.store.create(event, adopt=True)
        self._series[key] = (namespace_of(stored), name_of(stored))
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

    def normal(
        self, obj: Obj, reason: str, message: str, component: str, host: str = ""
    ) -> Obj | None:
        """Record a Normal event (see :meth:`record`)."""
        return self.record(obj, "Normal", reason, message, component, host=host)

    def warning(
        self, obj: Obj, reason: str, message: str, component: str, host: str = ""
    ) -> Obj | None:
        """Record a Warning event (see :meth:`record`)."""
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

    # -- save files --------------------------------------------------------------------------
    def dump_state(self) -> dict[str, Any]:
        """The recorder's memory for a save file: the name counter and every correlator's
        caches (the scheduler's series are rebuilt from the stored Events)."""
        return {
            "counter": self._counter,
            "correlators": [
                {"component": component, "host": host, **correlator.dump()}
                for (component, host), correlator in self._correlators.items()
            ],
        }

    def restore_state(self, data: dict[str, Any]) -> None:
        """Inverse of :meth:`dump_state`, after the Events are back in the store.

        A save without correlators (an older format) rebuilds each source's repeat counting
        from its stored Events, as that format did.

        Raises:
            ValueError: the state is malformed.
        """
        if not isinstance(data, dict):
            raise ValueError("events state: not an object")
        self._counter = int(data.get("counter", 0))
        saved = data.get("correlators")
        if isinstance(saved, list):
            for entry in saved:
                if not isinstance(entry, dict):
                    raise ValueError("events correlator state: entry is not an object")
                component, host = str(entry.get("component", "")), str(entry.get("host", ""))
                self.correlator(component, host).restore(entry)
        for event in self.store.list("Event"):
            source = event.get("source") or {}
            component, host = str(source.get("component", "")), str(source.get("host", ""))
            if component in EVENTS_API_COMPONENTS:
                self._series[event_key(event)] = (namespace_of(event), name_of(event))
            elif not isinstance(saved, list):
                self.correlator(component, host).update_state(event)
