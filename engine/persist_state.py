"""The in-memory state of a cluster's components that a save file must carry besides objects.

The store holds almost everything (objects are the API's truth, fault states live in
annotations). What it does not hold, and what a faithful continuation needs:

* the clock's time and epoch, and the state of every seeded random source
  (``cluster.rng(purpose)``; the store's uid source is ``rng("uid")``), so a loaded playground
  draws the same names, IPs and shuffles as the one that was saved would have;
* the store's resourceVersion counter;
* simulated file contents: ``volume_data``, ``container_data``, ``empty_dir_data``;
* the kubelet's per-node host-local IPAM pointers (an address freed by a deleted pod must not
  come back before the range wraps, k8s-semantics.md §8.4) and the images already pulled on
  each node (a cached image starts without a pull);
* the event recorder's name counter (Event names must stay unique) and its correlators'
  caches (which Event a repeat counts on, each group's recent messages, each source's spam
  tokens: :meth:`engine.events.EventRecorder.dump_state`), so a loaded playground aggregates
  and drops events exactly as the saved one would have;
* the volume provisioner's identity, the node lifecycle controller's orphaned-pod clocks and
  the DNS zone's SOA serial (the time of its last change).

Everything else in the controllers is a cache or a queue that the first reconcile after a load
re-derives from the objects (:func:`engine.persist.load` replays every object as ADDED).

Helpers here read the components' private fields on purpose: the save format is the one place
that must see inside them, and keeping that knowledge in one module means a component owner
can find it. Each ``dump_*`` has a matching ``restore_*``.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from engine.clock import Clock, RealClock
from engine.dns.zone import zone_for
from engine.ipam import NodeIPAM
from engine.objects import KINDS, Obj, is_namespaced, name_of, namespace_of
from engine.services import ServiceIPAdmission
from engine.store import WatchEvent

if TYPE_CHECKING:
    from engine.cluster import Cluster


# -- random sources ------------------------------------------------------------------------------
def dump_rngs(cluster: Cluster) -> dict[str, Any]:
    """Every seeded random source's full state, by purpose."""
    out: dict[str, Any] = {}
    for purpose, rng in sorted(cluster._rngs.items()):
        version, internal, gauss = rng.getstate()
        out[purpose] = [version, list(internal), gauss]
    return out


def restore_rngs(cluster: Cluster, data: dict[str, Any]) -> None:
    """Put each random source back in its saved state (creating the ones not yet used)."""
    for purpose, (version, internal, gauss) in data.items():
        rng: random.Random = cluster.rng(purpose)
        rng.setstate((int(version), tuple(int(v) for v in internal), gauss))


# -- clock ---------------------------------------------------------------------------------------
def set_clock(clock: Clock, now: float) -> None:
    """Move a fresh clock to the saved time ``now`` (a RealClock resumes from there)."""
    clock._now = float(now)
    if isinstance(clock, RealClock):
        clock._anchor_sim = float(now)
        clock._anchor_real = clock._monotonic()


# -- store ---------------------------------------------------------------------------------------
def restore_objects(cluster: Cluster, objects: list[Obj], resource_version: int) -> None:
    """Put ``objects`` into the (empty) store exactly as saved, then announce each as ADDED so
    every controller, the DNS zone and the watchers list them, as informers do on start."""
    store = cluster.store
    for obj in objects:
        kind = obj["kind"]
        md = obj["metadata"]
        key = (str(md.get("namespace", "")) if is_namespaced(kind) else "", str(md["name"]))
        store._put(kind, key, obj, None)
    store._rv = max(store._rv, int(resource_version))
    for obj in objects:
        store._emit(WatchEvent("ADDED", obj["kind"], obj, None))


def claim_service_ips(cluster: Cluster) -> None:
    """Mark every restored Service's ClusterIP as taken in the allocator."""
    hooks = [h for h in cluster.store._admission["Service"] if isinstance(h, ServiceIPAdmission)]
    for svc in cluster.store.list("Service"):
        ip = str((svc.get("spec") or {}).get("clusterIP") or "")
        if ip and ip != "None":
            for hook in hooks:
                hook.allocator.allocate(ip, (namespace_of(svc), name_of(svc)))


# -- kubelet, events, volumes, nodes -------------------------------------------------------------
def dump_components(cluster: Cluster) -> dict[str, Any]:
    """The controllers' and recorder's state that is not in the objects."""
    kubelet: Any = cluster.controller("kubelet")
    ipam = {
        node: {"cidr": str(a.network), "last": a._last_reserved}
        for node, a in sorted(kubelet._ipams.items())
    }
    images = {node: sorted(imgs) for node, imgs in sorted(kubelet._images.items())}
    volumes: Any = cluster.controller("persistentvolume-controller")
    nodes: Any = cluster.controller("node-lifecycle")
    return {
        "dns": {"modified": zone_for(cluster).modified},
        "kubelet": {"ipam": ipam, "images": images},
        "events": cluster.events.dump_state(),
        "provisioner": {"identities": dict(volumes._identities)},
        "nodeLifecycle": {"orphaned": dict(nodes._orphaned)},
    }


def restore_components(cluster: Cluster, data: dict[str, Any]) -> None:
    """Inverse of :func:`dump_components`."""
    kubelet: Any = cluster.controller("kubelet")
    for node, entry in (data.get("kubelet") or {}).get("ipam", {}).items():
        allocator = NodeIPAM(str(entry["cidr"]))
        last = entry.get("last")
        allocator._last_reserved = None if last is None else int(last)
        kubelet._ipams[node] = allocator
    for node, images in (data.get("kubelet") or {}).get("images", {}).items():
        kubelet._images[node] = {str(i) for i in images}
    cluster.events.restore_state(data.get("events") or {})
    volumes: Any = cluster.controller("persistentvolume-controller")
    volumes._identities.update((data.get("provisioner") or {}).get("identities", {}))
    nodes: Any = cluster.controller("node-lifecycle")
    modified = (data.get("dns") or {}).get("modified")
    if modified is not None:
        zone_for(cluster).modified = int(modified)
    nodes._orphaned.update(
        {str(k): float(v) for k, v in (data.get("nodeLifecycle") or {}).get("orphaned", {}).items()}
    )


def known_kind(kind: object) -> bool:
    """Whether a saved object's kind is one this engine stores."""
    return isinstance(kind, str) and kind in KINDS
