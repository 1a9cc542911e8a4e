"""The promises the real system keeps, checked against a running playground cluster.

Everything here is recomputed independently from the objects (pods, Services, StatefulSets) with
predicates written for this file, not by calling the controllers' own helpers, so a bug shared
by a controller and its helper still shows. Two kinds of checks:

* :class:`Watcher` subscribes to the store and judges every creation/deletion as it happens
  (OrderedReady creation order, claims of a new pod, Retain claims never deleted);
* :func:`check_state` judges a snapshot (identities, IPs, Endpoints, DNS) and returns the
  violations as readable strings; :class:`StateChecker` runs it after every step, skipping
  states it has already passed (the store's resourceVersion has not moved).
"""

from __future__ import annotations

from typing import Any

from engine.cluster import Cluster
from engine.dns.resolver import Resolver
from engine.objects import Obj
from engine.store import WatchEvent

Violations = list[str]


# -- independent predicates ---------------------------------------------------------------------
def ready(pod: Obj) -> bool:
    """The pod's Ready condition is True."""
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return bool(cond.get("status") == "True")
    return False


def terminating(obj: Obj) -> bool:
    """The object has a deletionTimestamp."""
    return bool(obj["metadata"].get("deletionTimestamp"))


def phase(pod: Obj) -> str:
    """status.phase ("" when unset)."""
    return str((pod.get("status") or {}).get("phase") or "")


def terminal(pod: Obj) -> bool:
    """Succeeded or Failed."""
    return phase(pod) in ("Succeeded", "Failed")


def healthy(pod: Obj) -> bool:
    """Running, Ready and not terminating (the OrderedReady gate)."""
    return phase(pod) == "Running" and ready(pod) and not terminating(pod)


def ip_of(pod: Obj) -> str:
    """status.podIP ("" when unset)."""
    return str((pod.get("status") or {}).get("podIP") or "")


def owner(pod: Obj, kind: str) -> str | None:
    """The name of the controlling owner of ``kind``, or None."""
    for ref in pod["metadata"].get("ownerReferences") or []:
        if ref.get("kind") == kind and ref.get("controller"):
            return str(ref["name"])
    return None


def ordinal(name: str) -> int:
    """The ordinal suffix of a StatefulSet pod name."""
    return int(name.rsplit("-", 1)[1])


def selects(svc: Obj, pod: Obj) -> bool:
    """The Service's selector matches the pod (same namespace)."""
    selector = (svc.get("spec") or {}).get("selector") or {}
    if not selector or pod["metadata"].get("namespace") != svc["metadata"].get("namespace"):
        return False
    labels = pod["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in selector.items())


# -- watching changes -----------------------------------------------------------------------------
class Watcher:
    """Judges every pod creation and claim deletion as the store reports it."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.violations: Violations = []
        cluster.store.subscribe(self._on_pod, ["Pod"])
        cluster.store.subscribe(self._on_claim, ["PersistentVolumeClaim"])

    def _on_claim(self, ev: WatchEvent) -> None:
        if ev.type == "DELETED":
            self.violations.append(f"claim {ev.obj['metadata']['name']} deleted under Retain")

    def _on_pod(self, ev: WatchEvent) -> None:
        if ev.type != "ADDED":
            return
        pod = ev.obj
        sts_name = owner(pod, "StatefulSet")
        if sts_name is None:
            return
        sts = self.cluster.store.get("StatefulSet", pod["metadata"]["namespace"], sts_name)
        if sts is None:
            return
        name = pod["metadata"]["name"]
        self._check_claims(sts, pod, ordinal(name))
        if (sts["spec"].get("podManagementPolicy") or "OrderedReady") == "OrderedReady":
            for lower in range(ordinal(name)):
                pred = self.cluster.store.get("Pod", "default", f"{sts_name}-{lower}")
                if pred is None or not healthy(pred):
                    self.violations.append(f"{name} created while {sts_name}-{lower} not ready")

    def _check_claims(self, sts: Obj, pod: Obj, n: int) -> None:
        name = pod["metadata"]["name"]
        want = {
            f"{t['metadata']['name']}-{sts['metadata']['name']}-{n}"
            for t in sts["spec"].get("volumeClaimTemplates") or []
        }
        got = {
            v["persistentVolumeClaim"]["claimName"]
            for v in pod["spec"].get("volumes") or []
            if v.get("persistentVolumeClaim")
        }
        if got != want:
            self.violations.append(f"{name} binds claims {sorted(got)}, want {sorted(want)}")


# -- snapshot checks ------------------------------------------------------------------------------
class StateChecker:
    """:func:`check_state` after every step, skipped while the store has not changed.

    Every snapshot invariant is a function of the store's objects alone (the DNS zone changes
    only on store events; the resolver's shuffle only reorders records), and every write to
    the store, deletions included, hands out a new resourceVersion. So a state that passed
    at resourceVersion N passes again as long as the store is still at N: steps that change
    nothing (a fault on a pod already gone, time passing with no timer due) cost nothing.
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._passed_at: int | None = None

    def __call__(self) -> Violations:
        """The violations of the current state (empty when all hold)."""
        version = self.cluster.store.resource_version
        if version == self._passed_at:
            return []
        out = check_state(self.cluster)
        self._passed_at = None if out else version
        return out


def check_state(cluster: Cluster) -> Violations:
    """Every snapshot invariant; returns the violations (empty when all hold)."""
    pods = cluster.store.list("Pod")
    services = cluster.store.list("Service", "default")
    expected = {
        svc["metadata"]["name"]: expected_addresses(svc, pods)
        for svc in services
        if (svc.get("spec") or {}).get("selector")
    }
    resolver = Resolver(cluster)
    return [
        *_identities(pods),
        *_ips(pods),
        *_endpoints(cluster, expected),
        *_dns(resolver, services, pods, expected),
    ]


def _identities(pods: list[Obj]) -> Violations:
    seen: dict[tuple[str, str], str] = {}
    out: Violations = []
    for pod in pods:
        sts = owner(pod, "StatefulSet")
        if sts is None or terminal(pod):
            continue
        name = pod["metadata"]["name"]
        identity = (sts, str(pod["spec"].get("hostname") or ""))
        if identity[1] != name:
            out.append(f"{name} has hostname {identity[1]!r}")
        if identity in seen:
            out.append(f"{name} and {seen[identity]} share identity {identity}")
        seen[identity] = name
    return out


def _ips(pods: list[Obj]) -> Violations:
    holders: dict[str, str] = {}
    out: Violations = []
    for pod in pods:
        ip = ip_of(pod)
        if not ip or terminal(pod):
            continue
        name = pod["metadata"]["name"]
        if ip in holders:
            out.append(f"{name} and {holders[ip]} share IP {ip}")
        holders[ip] = name
    return out


Addresses = tuple[set[str], set[str]]


def expected_addresses(svc: Obj, pods: list[Obj]) -> Addresses:
    """(ready, notReady) IPs the Endpoints of ``svc`` must list (k8s-semantics.md §4.2)."""
    publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
    ready_ips: set[str] = set()
    unready: set[str] = set()
    for pod in pods:
        if not selects(svc, pod) or terminal(pod) or not ip_of(pod):
            continue
        if terminating(pod) and not publish:
            continue
        (ready_ips if publish or ready(pod) else unready).add(ip_of(pod))
    return ready_ips, unready


def _endpoints(cluster: Cluster, expected: dict[str, Addresses]) -> Violations:
    """The Endpoints of every selecting Service list exactly ``expected``."""
    out: Violations = []
    for name, want in expected.items():
        ep = cluster.store.get("Endpoints", "default", name)
        got_ready: set[str] = set()
        got_unready: set[str] = set()
        for subset in (ep or {}).get("subsets") or []:
            got_ready |= {a["ip"] for a in subset.get("addresses") or []}
            got_unready |= {a["ip"] for a in subset.get("notReadyAddresses") or []}
        if (got_ready, got_unready) != want:
            out.append(f"endpoints {name}: {(got_ready, got_unready)} != expected {want}")
    return out


def _a_set(resolver: Resolver, qname: str) -> set[str] | None:
    """The A records for ``qname`` (None for NXDOMAIN)."""
    answer = resolver.resolve(qname, "A")
    if answer.nxdomain:
        return None
    return {r.rdata for r in answer.answer if r.rdtype == "A"}


def _dns(
    resolver: Resolver, services: list[Obj], pods: list[Obj], expected: dict[str, Addresses]
) -> Violations:
    out: Violations = []
    for svc in services:
        spec: dict[str, Any] = svc.get("spec") or {}
        name = svc["metadata"]["name"]
        fqdn = f"{name}.default.svc.cluster.local"
        got = _a_set(resolver, fqdn)
        if spec.get("clusterIP") != "None":
            if got != {spec.get("clusterIP")}:
                out.append(f"dns {fqdn}: {got} != ClusterIP {spec.get('clusterIP')}")
            continue
        ready_ips = expected[name][0] if name in expected else set()
        if got != (ready_ips or None):
            out.append(f"dns {fqdn}: {got} != expected {ready_ips or 'NXDOMAIN'}")
        out.extend(_pod_names(resolver, svc, pods, ready_ips))
    return out


def _pod_names(resolver: Resolver, svc: Obj, pods: list[Obj], ready_ips: set[str]) -> Violations:
    """``<hostname>.<svc>`` resolves to the pod's IP exactly while it is a ready endpoint."""
    out: Violations = []
    name = svc["metadata"]["name"]
    for pod in pods:
        hostname = pod["spec"].get("hostname")
        if not hostname or pod["spec"].get("subdomain") != name or not selects(svc, pod):
            continue
        fqdn = f"{hostname}.{name}.default.svc.cluster.local"
        want = {ip_of(pod)} if ip_of(pod) in ready_ips else None
        got = _a_set(resolver, fqdn)
        if got != want:
            out.append(f"dns {fqdn}: {got} != expected {want or 'NXDOMAIN'}")
    return out
