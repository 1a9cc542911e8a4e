"""Helpers for the StatefulSet controller tests: manifests, a fake kubelet, invariant checks.

The invariants follow stateful_set_control_test.go's ``assertMonotonicInvariants``, checked
continuously from a store watch instead of after each step, so no intermediate state escapes:

* a pod is created with its identity (hostname, subdomain, labels) and its claims, and every
  claim it mounts is named for its ordinal and already exists;
* OrderedReady: when pod N is created, every lower in-range ordinal exists and is Running and
  Ready (and not Terminating);
* OrderedReady: when the controller deletes a condemned pod, no higher condemned pod remains;
* two pods never share a hostname.
"""

from __future__ import annotations

from typing import Any

from engine.cluster import Cluster
from engine.controllers.statefulset import identity, spec
from engine.objects import Obj, copy_obj, name_of
from engine.store import WatchEvent
from tests.engine.fake_kubelet import isolated_cluster
from tests.helpers import set_pod_status

NS = "default"


def fake_kubelet_cluster() -> Cluster:
    """A strict cluster without kubelet, scheduler, node lifecycle and garbage collector, so the
    test decides every pod status and every deletion (stateful_set_control_test.go's fakes): the
    kubelet is faked with ``set_pod_status`` / ``store.remove``, garbage collection is done by
    hand."""
    return isolated_cluster(also=("garbage-collector",))


def sts_manifest(
    name: str = "web",
    replicas: int | None = 3,
    *,
    claims: tuple[str, ...] = ("www",),
    image: str = "nginx:1.27",
    **spec_fields: Any,
) -> Obj:
    """A StatefulSet like the tutorial's ``web`` (only the fields a user writes)."""
    body: dict[str, Any] = {
        "serviceName": "nginx",
        "selector": {"matchLabels": {"app": "nginx"}},
        "template": {
            "metadata": {"labels": {"app": "nginx"}},
            "spec": {"containers": [{"name": "nginx", "image": image}]},
        },
    }
    if replicas is not None:
        body["replicas"] = replicas
    if claims:
        body["volumeClaimTemplates"] = [
            {
                "metadata": {"name": claim},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            }
            for claim in claims
        ]
    body.update(spec_fields)
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": NS},
        "spec": body,
    }


def create_sts(cluster: Cluster, name: str = "web", replicas: int | None = 3, **kw: Any) -> Obj:
    """Store a StatefulSet and let the controllers react."""
    stored = cluster.store.create(sts_manifest(name, replicas, **kw))
    cluster.drain()
    return stored


def get_sts(cluster: Cluster, name: str = "web") -> Obj:
    """The stored StatefulSet."""
    return cluster.store.must_get("StatefulSet", NS, name)


def edit_sts(cluster: Cluster, name: str = "web", **spec_fields: Any) -> Obj:
    """Change spec fields of the set (``None`` removes one), like ``kubectl edit``."""
    sts = copy_obj(get_sts(cluster, name))
    for key, value in spec_fields.items():
        if value is None:
            sts["spec"].pop(key, None)
        else:
            sts["spec"][key] = value
    stored = cluster.store.update(sts)
    cluster.drain()
    return stored


def set_image(cluster: Cluster, image: str, name: str = "web") -> Obj:
    """Change the container image (a new revision)."""
    sts = copy_obj(get_sts(cluster, name))
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = image
    stored = cluster.store.update(sts)
    cluster.drain()
    return stored


def pods(cluster: Cluster) -> list[Obj]:
    """Pods in the test namespace, by ordinal."""
    return sorted(cluster.store.list("Pod", NS), key=identity.ordinal_of)


def names(cluster: Cluster) -> list[str]:
    """Pod names, by ordinal."""
    return [name_of(p) for p in pods(cluster)]


def live_names(cluster: Cluster) -> list[str]:
    """Names of pods that are not terminating, by ordinal."""
    return [name_of(p) for p in pods(cluster) if not identity.is_terminating(p)]


def pod(cluster: Cluster, name: str) -> Obj:
    """One pod."""
    return cluster.store.must_get("Pod", NS, name)


def ready(cluster: Cluster, *pod_names: str, ready_: bool = True, phase: str = "Running") -> None:
    """Fake kubelet: the pods run on worker-1 and are (un)ready. A pod on a node is deleted
    gracefully, so Terminating is observable until :func:`finish_terminating`."""
    for name in pod_names:
        set_pod_status(cluster, NS, name, phase=phase, ready=ready_, node="worker-1")


def ready_all(cluster: Cluster) -> None:
    """Make every live pod without a Ready condition Running and Ready."""
    for p in pods(cluster):
        if not identity.is_terminating(p) and not identity.is_running_and_ready(p):
            ready(cluster, name_of(p))


def bring_up(cluster: Cluster, limit: int = 50) -> None:
    """Fake kubelet loop: ready new pods until the controller stops creating any."""
    for _ in range(limit):
        before = names(cluster)
        ready_all(cluster)
        finish_terminating(cluster)
        if names(cluster) == before and all(
            identity.is_running_and_ready(p) for p in pods(cluster)
        ):
            return
    raise AssertionError("pods did not settle")


def finish_terminating(cluster: Cluster) -> list[str]:
    """Fake kubelet: remove every terminating pod (containers stopped); returns their names."""
    gone = [name_of(p) for p in pods(cluster) if identity.is_terminating(p)]
    for name in gone:
        cluster.store.remove("Pod", NS, name)
    cluster.drain()
    return gone


def events(cluster: Cluster, name: str = "web") -> list[tuple[str, str, str]]:
    """(type, reason, message) of the set's events, oldest first."""
    return [
        (e["type"], e["reason"], e["message"])
        for e in cluster.events.for_object(get_sts(cluster, name))
    ]


def messages(cluster: Cluster, name: str = "web") -> list[str]:
    """The set's event messages, oldest first (a repeated event once)."""
    return [m for _, _, m in events(cluster, name)]


def claim_names(cluster: Cluster) -> list[str]:
    """PVC names in the test namespace, sorted."""
    return sorted(name_of(c) for c in cluster.store.list("PersistentVolumeClaim", NS))


class EventLog:
    """Every StatefulSet event as it is recorded, repeats included (the recorder folds repeats
    into one Event whose count grows)."""

    def __init__(self, cluster: Cluster) -> None:
        self.entries: list[tuple[str, str, str]] = []
        cluster.store.subscribe(self._on_event, ["Event"])

    def _on_event(self, ev: WatchEvent) -> None:
        if ev.obj["involvedObject"].get("kind") != "StatefulSet":
            return
        old_count = int(ev.old.get("count", 0)) if ev.old is not None else 0
        if ev.type != "DELETED" and int(ev.obj.get("count", 1)) > old_count:
            self.entries.append((ev.obj["type"], ev.obj["reason"], ev.obj["message"]))

    def mark(self) -> int:
        """A position to read new messages from."""
        return len(self.entries)

    def messages(self, since: int = 0) -> list[str]:
        """Messages recorded since ``since``."""
        return [m for _, _, m in self.entries[since:]]


class Invariants:
    """Watches the store and records every broken StatefulSet invariant."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.violations: list[str] = []
        self.created: list[str] = []
        cluster.store.subscribe(self._on_pod, ["Pod"])
        cluster.store.subscribe(self._on_event, ["Event"])

    def _owner(self, pod: Obj) -> Obj | None:
        for ref in pod["metadata"].get("ownerReferences") or []:
            if ref.get("kind") == "StatefulSet":
                return self.cluster.store.get("StatefulSet", NS, ref["name"])
        return None

    def _on_pod(self, ev: WatchEvent) -> None:
        sts = self._owner(ev.obj)
        if sts is None:
            return
        if ev.type == "ADDED":
            self.created.append(name_of(ev.obj))
            self._check_created(sts, ev.obj)

    def _on_event(self, ev: WatchEvent) -> None:
        """A controller deletion is announced by its ``delete Pod …`` event (a user's is not)."""
        event = ev.obj
        old_count = int(ev.old.get("count", 0)) if ev.old is not None else 0
        if ev.type == "DELETED" or int(event.get("count", 1)) <= old_count:
            return
        words = str(event.get("message", "")).split()
        if event.get("reason") != "SuccessfulDelete" or words[:2] != ["delete", "Pod"]:
            return
        sts = self.cluster.store.get("StatefulSet", NS, words[5])
        if sts is not None:
            self._check_deleted(sts, words[2])

    def _fail(self, message: str) -> None:
        self.violations.append(message)

    def _check_created(self, sts: Obj, new: Obj) -> None:
        name, ordinal = name_of(new), identity.ordinal_of(new)
        if new["spec"].get("hostname") != name or not identity.identity_matches(sts, new):
            self._fail(f"{name} created without its identity")
        if not identity.storage_matches(sts, new):
            self._fail(f"{name} created without its claims")
        for volume in new["spec"].get("volumes") or []:
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim is None:
                continue
            if not claim.endswith(f"-{name_of(sts)}-{ordinal}"):
                self._fail(f"{name} mounts {claim}, not a claim of ordinal {ordinal}")
            if self.cluster.store.get("PersistentVolumeClaim", NS, claim) is None:
                self._fail(f"{name} created before its claim {claim}")
        hostnames = [p["spec"].get("hostname") for p in self.cluster.store.list("Pod", NS)]
        if hostnames.count(name) > 1:
            self._fail(f"two pods with identity {name}")
        if spec.allows_burst(sts):
            return
        for lower in range(spec.start_ordinal(sts), ordinal):
            pred = self.cluster.store.get("Pod", NS, identity.pod_name(sts, lower))
            if pred is None or not identity.is_healthy(pred):
                self._fail(f"{name} created while {identity.pod_name(sts, lower)} not ready")

    def _check_deleted(self, sts: Obj, gone: str) -> None:
        """OrderedReady deletes condemned pods highest first, one after the other."""
        parent, ordinal = identity.parent_and_ordinal(gone)
        in_range = spec.start_ordinal(sts) <= ordinal <= spec.end_ordinal(sts)
        if spec.allows_burst(sts) or in_range or parent != name_of(sts):
            return
        higher = [
            name_of(p)
            for p in self.cluster.store.list("Pod", NS)
            if identity.is_member(sts, p)
            and identity.ordinal_of(p) > ordinal
            and not identity.in_ordinal_range(p, sts)
        ]
        if higher:
            self._fail(f"{gone} deleted while {higher} remain")
