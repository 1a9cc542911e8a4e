"""What the Endpoints and EndpointSlice controllers share: indexes, pod → Service mapping, the
per-Service record of changed pods, and the trigger-time bookkeeping.

One :class:`PodServiceFeed` per store watches Pods and Services for both controllers: it
indexes Service selectors by (namespace, label pair), ignores pod updates that change nothing
an endpoint shows, maps the others once to the keys of the Services selecting the pod (before
or after the change), and remembers each pod's ``PodFacts``
(:mod:`engine.controllers.endpoint_rules`) per pod and Service version, so the second
controller to sync a pod reads them for free.

:class:`ServicePodTracker` is the base of both controllers: it records the feed's pod names
under their Service keys and enqueues the keys. ``sync`` then receives the names of the pods
that changed since the last sync of that Service (``None`` asks for a full reconcile: a Service
event, a slice changed behind the controller's back, a first sync), so a pod event costs work
proportional to the pods it touches, never to the Service's size. A full reconcile lists the
namespace's pods through a store index (``endpoints:pod-namespace``).

:class:`TriggerTimes` keeps, per Service, the multiset of its pods' trigger times (Ready
transition, else creation) so the ``last-change-trigger-time`` annotation — the newest of those
and the Service's creation — is maintained incrementally.
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Callable
from typing import Any

from engine.controllers.base import Controller, make_key
from engine.controllers.endpoint_rules import SERVICE_NAME_LABEL, PodFacts, pod_facts
from engine.objects import Obj, labels_of, name_of, namespace_of
from engine.store import Store, WatchEvent

POD_NAMESPACE_INDEX = "endpoints:pod-namespace"
SLICE_SERVICE_INDEX = "endpoints:slice-service"


def selector_of(svc: Obj) -> dict[str, str]:
    """The Service's selector map ({} when it has none or is ExternalName)."""
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return {}
    selector: dict[str, str] = spec.get("selector") or {}
    return selector


def _pod_namespace(pod: Obj) -> tuple[str]:
    return (pod["metadata"].get("namespace", ""),)


def _slice_service(s: Obj) -> list[str]:
    service = labels_of(s).get(SERVICE_NAME_LABEL)
    return [f"{namespace_of(s)}/{service}"] if service is not None else []


def ensure_indexes(store: Store) -> None:
    """Create the pod-namespace and slice-service indexes both controllers use, once."""
    if not store.has_index("Pod", POD_NAMESPACE_INDEX):
        store.add_index("Pod", POD_NAMESPACE_INDEX, _pod_namespace)
    if not store.has_index("EndpointSlice", SLICE_SERVICE_INDEX):
        store.add_index("EndpointSlice", SLICE_SERVICE_INDEX, _slice_service)


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    """Whether ``labels`` carry every pair of a (non-empty) ``selector``."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def selected_pods(store: Store, svc: Obj) -> list[Obj]:
    """Pods in the Service's namespace matching its selector (a full reconcile's list)."""
    selector = selector_of(svc)
    if not selector:
        return []
    pods = store.by_index("Pod", POD_NAMESPACE_INDEX, namespace_of(svc))
    return [p for p in pods if matches(selector, labels_of(p))]


def endpoint_view(pod: Obj) -> tuple[Any, ...]:
    """What of a pod an endpoint (or the trigger time) shows; updates keeping it are ignored."""
    md = pod["metadata"]
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    ready = None
    for cond in status.get("conditions") or ():
        if cond.get("type") == "Ready":
            ready = (cond.get("status"), cond.get("lastTransitionTime"))
            break
    return (
        status.get("podIP"),
        status.get("phase"),
        ready,
        md.get("deletionTimestamp") is not None,
        md.get("labels"),
        spec.get("hostname"),
        spec.get("subdomain"),
        spec.get("nodeName"),
        spec.get("containers"),
        md.get("uid"),
    )


def pod_trigger_time(pod: Obj) -> str:
    """A pod's trigger time: its Ready condition's last transition, else its creation."""
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            when = cond.get("lastTransitionTime")
            if when:
                return str(when)
            break
    return str(pod["metadata"].get("creationTimestamp", ""))


class TriggerTimes:
    """The trigger times of one Service's selected pods, with their maximum kept current: the
    distinct times are kept sorted, so a pod leaving or changing costs a bisect, even when it
    held the newest time."""

    def __init__(self) -> None:
        self._by_pod: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._sorted: list[str] = []  # the distinct times, oldest first

    def set(self, pod_name: str, when: str | None) -> None:
        """Record ``pod_name``'s trigger time (None: the pod is no longer selected)."""
        old = self._by_pod.get(pod_name)
        if old == when:
            return
        if old is not None:
            del self._by_pod[pod_name]
            left = self._counts[old] - 1
            if left:
                self._counts[old] = left
            else:
                del self._counts[old]
                del self._sorted[bisect.bisect_left(self._sorted, old)]
        if when is not None:
            self._by_pod[pod_name] = when
            count = self._counts.get(when, 0)
            if not count:
                bisect.insort(self._sorted, when)
            self._counts[when] = count + 1

    def latest(self, svc: Obj) -> str:
        """The annotation value: newest of the Service's creation and its pods' times."""
        newest = self._sorted[-1] if self._sorted else ""
        return max(str(svc["metadata"].get("creationTimestamp", "")), newest)


Listener = Callable[[list[str], str], None]


class PodServiceFeed:
    """One Pod subscription per store for every endpoint controller: each pod change that an
    endpoint could show is mapped once to the keys of the Services selecting the pod (before
    or after the change) and handed to the listeners with the pod's name.

    The feed indexes Service selectors by (namespace, label pair): a pod is matched only
    against the Services sharing one of its labels, without scanning the others.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.listeners: list[Listener] = []
        #: namespace → (label, value) → names of the Services whose selector holds that pair
        self._by_pair: dict[str, dict[tuple[str, str], set[str]]] = {}
        self._selectors: dict[tuple[str, str], dict[str, str]] = {}
        #: pod uid → Service uid → ((Service, pod resourceVersion), the pod's facts)
        self._facts: dict[str, dict[str, tuple[tuple[Any, Any], PodFacts | None]]] = {}
        for svc in store.list("Service"):
            self._index(namespace_of(svc), name_of(svc), selector_of(svc))
        store.subscribe(self._on_service, ["Service"])
        store.subscribe(self._on_pod, ["Pod"])

    def services_for(self, namespace: str, labels: dict[str, str]) -> set[str]:
        """Keys of the Services in ``namespace`` whose selector matches ``labels``."""
        by_pair = self._by_pair.get(namespace)
        keys: set[str] = set()
        if not by_pair:
            return keys
        for pair in labels.items():
            for name in by_pair.get(pair, ()):
                if matches(self._selectors[(namespace, name)], labels):
                    keys.add(make_key(namespace, name))
        return keys

    def facts(self, svc: Obj, pod: Obj) -> PodFacts | None:
        """:func:`~engine.controllers.endpoint_rules.pod_facts`, remembered until the pod or
        the Service changes: the second controller to sync a pod reads it for free."""
        svc_md, pod_md = svc["metadata"], pod["metadata"]
        stamp = (svc_md.get("resourceVersion"), pod_md.get("resourceVersion"))
        per_pod = self._facts.setdefault(pod_md.get("uid", ""), {})
        hit = per_pod.get(svc_md.get("uid", ""))
        if hit is not None and hit[0] == stamp:
            return hit[1]
        facts = pod_facts(svc, pod)
        per_pod[svc_md.get("uid", "")] = (stamp, facts)
        return facts

    def _index(self, namespace: str, name: str, selector: dict[str, str] | None) -> None:
        old = self._selectors.pop((namespace, name), None)
        by_pair = self._by_pair.setdefault(namespace, {})
        for pair in (old or {}).items():
            names = by_pair[pair]
            names.discard(name)
            if not names:
                del by_pair[pair]
        if selector:
            self._selectors[(namespace, name)] = dict(selector)
            for pair in selector.items():
                by_pair.setdefault(pair, set()).add(name)

    def _on_service(self, event: WatchEvent) -> None:
        svc = event.obj
        selector = None if event.type == "DELETED" else selector_of(svc)
        self._index(namespace_of(svc), name_of(svc), selector)

    def _on_pod(self, event: WatchEvent) -> None:
        if event.type == "DELETED":
            self._facts.pop(event.obj["metadata"].get("uid", ""), None)
        elif _invisible(event):
            return
        old, new = event.old, event.obj
        ns = namespace_of(new)
        keys = self.services_for(ns, labels_of(new))
        if old is not None and labels_of(old) != labels_of(new):
            keys |= self.services_for(ns, labels_of(old))
        if keys:
            ordered, pod_name = sorted(keys), name_of(new)
            for listener in self.listeners:
                listener(ordered, pod_name)


def _invisible(event: WatchEvent) -> bool:
    """A pod update that changes nothing an endpoint (or the trigger time) shows."""
    old = event.old
    return (
        event.type == "MODIFIED"
        and old is not None
        and endpoint_view(old) == endpoint_view(event.obj)
    )


#: store → its feed, weakly both ways: the feed lives as long as the store, whose subscriptions
#: hold it, and its listeners (the controllers) hold the store; a strong value would keep the
#: key (and its whole cluster) alive for ever
_FEEDS: weakref.WeakKeyDictionary[Store, weakref.ref[PodServiceFeed]] = weakref.WeakKeyDictionary()


def pod_feed(store: Store) -> PodServiceFeed:
    """The store's :class:`PodServiceFeed` (created, with the indexes, on first use)."""
    ref = _FEEDS.get(store)
    feed = ref() if ref is not None else None
    if feed is None:
        ensure_indexes(store)
        feed = PodServiceFeed(store)
        _FEEDS[store] = weakref.ref(feed)
    return feed


class ServicePodTracker(Controller):
    """Base of both endpoint controllers: records pod changes per Service key."""

    def setup(self) -> None:
        """Watch Services (full reconcile of their key) and Pods (the Services selecting them)."""
        ensure_indexes(self.store)
        #: Service key → names of pods changed since its last sync; None: reconcile fully
        self._changed: dict[str, set[str] | None] = {}
        self.store.subscribe(self._on_service, ["Service"])
        self.feed = pod_feed(self.store)
        self.feed.listeners.append(self._on_pod)

    def resync(self, key: str) -> None:
        """Reconcile ``key`` fully on its next sync."""
        self._changed[key] = None
        self.enqueue(key)

    def take_changes(self, key: str) -> set[str] | None:
        """The pods changed since ``key``'s last sync (None: reconcile fully); resets them."""
        return self._changed.pop(key, None)

    def _on_service(self, event: WatchEvent) -> None:
        self.resync(make_key(*event.key))

    def _on_pod(self, keys: list[str], pod_name: str) -> None:
        changed = self._changed
        for key in keys:
            if key in changed:
                pods = changed[key]
                if pods is not None:
                    pods.add(pod_name)
            else:
                changed[key] = {pod_name}
            self.enqueue(key)
