"""The kubelets of every node, simulated by one controller.

Plumbing only: watch pods (and nodes, for the kubelet-down fault and new pod CIDRs), keep one
runtime record per pod (:mod:`engine.pod_runtime`), run the stage table (:mod:`engine.stages`)
on the cluster clock and write the status rendered from the record (:mod:`engine.pod_status`).

``sync(key)`` runs every stage that is due, then asks to be woken when the next one is; a later
change to the pod re-selects, which is how a newer state cancels a pending one. A pod on a node
whose kubelet is stopped gets no status updates and is never removed by the kubelet — exactly
what a real node that stopped answering looks like from the API.

The fault verbs: :meth:`Kubelet.set_readiness_fault` stores its state in the pod annotation
``playground.local/readiness: fail`` (so it survives a save and is visible in ``-o yaml``);
:meth:`Kubelet.crash` makes the pod's first running container exit with code 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine import stages
from engine.controllers.base import Controller, make_key, split_key
from engine.controllers.kubelet_runs import RunTable
from engine.ipam import NodeIPAM, RangeExhausted
from engine.objects import Obj, copy_obj, name_of, namespace_of
from engine.pod_runtime import (
    READINESS_ANNOTATION,
    ContainerRun,
    PodRun,
    adopt_status,
    digest_of,
    kubelet_stopped,
    new_run,
    normalize_image,
    readiness_fault,
)
from engine.pod_status import (
    LastStatus,
    is_current,
    remember,
    render_status,
    reuse_stored,
    terminated_state,
)
from engine.store import WatchEvent

if TYPE_CHECKING:
    from engine.cluster import Cluster

#: safety valve: stages fired in one sync before yielding to the runner
_MAX_STEPS = 200


#: store index: Pod → its ``spec.nodeName`` (the pods a node's kubelet runs)
NODE_NAME_INDEX = "kubelet-node-name"


def _node_name(pod: Obj) -> list[str]:
    node = (pod.get("spec") or {}).get("nodeName")
    return [str(node)] if node else []


#: store index: Pod → its ``status.podIP`` (who holds an address; the node is checked)
POD_IP_INDEX = "kubelet-pod-ip"


def _pod_ip(pod: Obj) -> list[str]:
    status = pod.get("status")
    ip = status.get("podIP") if status else None
    return [str(ip)] if ip else []


class Kubelet(Controller):
    """Kubelet simulation."""

    name = "kubelet"

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.timings = cluster.timings
        self._runs = RunTable()
        self._ipams: dict[str, NodeIPAM] = {}
        #: node → the pod CIDR text its allocator was last checked against
        self._ipam_cidrs: dict[str, str] = {}
        self._images: dict[str, set[str]] = {}
        #: (key, pod read) while a sync writes that pod's status (see _on_pod)
        self._own_write: tuple[str, Obj] | None = None

    def setup(self) -> None:
        """Watch pods and nodes."""
        self.store.subscribe(self._on_pod, kinds=["Pod"])
        self.store.subscribe(self._on_node, kinds=["Node"])
        if not self.store.has_index("Pod", NODE_NAME_INDEX):
            self.store.add_index("Pod", NODE_NAME_INDEX, _node_name)
        if not self.store.has_index("Pod", POD_IP_INDEX):
            self.store.add_index("Pod", POD_IP_INDEX, _pod_ip)

    # -- watch handlers ---------------------------------------------------------------------
    def _on_pod(self, ev: WatchEvent) -> None:
        key = make_key(*ev.key)
        own = self._own_write
        if own is not None and own[1] is ev.old and own[0] == key and ev.type == "MODIFIED":
            return  # our status write: a sync now would find what this one just left
        if ev.type == "DELETED":
            run = self._runs.get(key)
            if run is not None and run.uid == ev.obj["metadata"].get("uid"):
                del self._runs[key]
            return
        if (ev.obj.get("spec") or {}).get("nodeName"):
            self.enqueue(key)

    def _on_node(self, ev: WatchEvent) -> None:
        if ev.type == "DELETED" or ev.old is None:
            return
        was_down, is_down = kubelet_stopped(ev.old), kubelet_stopped(ev.obj)
        old_cidr = (ev.old.get("spec") or {}).get("podCIDR")
        new_cidr = (ev.obj.get("spec") or {}).get("podCIDR")
        if was_down != is_down or old_cidr != new_cidr:
            self._enqueue_node_pods(name_of(ev.obj))

    def _enqueue_node_pods(self, node: str) -> None:
        for pod in self.store.list("Pod"):
            if (pod.get("spec") or {}).get("nodeName") == node:
                self.enqueue(make_key(namespace_of(pod), name_of(pod)))

    # -- fault verbs ---------------------------------------------------------------------------
    def set_readiness_fault(self, namespace: str, pod: str, fail: bool) -> None:
        """Make the pod's readiness probe fail (``fail``) or pass again.

        The state is the pod annotation ``playground.local/readiness: fail``; the kubelet's
        prober reacts: unready after failureThreshold × periodSeconds, Ready again after
        successThreshold × periodSeconds once it passes.
        """
        obj = copy_obj(self.store.must_get("Pod", namespace, pod))
        annotations = obj["metadata"].setdefault("annotations", {})
        if fail:
            annotations[READINESS_ANNOTATION] = "fail"
        else:
            annotations.pop(READINESS_ANNOTATION, None)
            if not annotations:
                obj["metadata"].pop("annotations", None)
        self.store.update(obj)

    def crash(self, namespace: str, pod: str) -> None:
        """Crash the pod's first running container (exit code 1); the kubelet restarts it with
        CrashLoopBackOff back-off, as for a real container that exited with an error.

        Raises:
            ValueError: the pod has no running container on a running kubelet.
        """
        obj = self.store.must_get("Pod", namespace, pod)
        node_name = (obj.get("spec") or {}).get("nodeName")
        node = self.store.get("Node", "", node_name) if node_name else None
        if node is not None and kubelet_stopped(node):
            raise ValueError(f'the kubelet of node "{node_name}" is stopped')
        run = self._runs.get(make_key(namespace, pod))
        target = None
        if run is not None and run.uid == obj["metadata"].get("uid"):
            target = next((c for c in run.containers if c.state == "running"), None)
        if target is None:
            raise ValueError(f'pod "{pod}" in namespace "{namespace}" has no running container')
        target.crash_requested = True
        self.enqueue(make_key(namespace, pod))

    # -- reconcile ------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """Run the pod's due stages, write its status, and wait for the next stage."""
        namespace, name = split_key(key)
        pod = self.store.get("Pod", namespace, name)
        if pod is None:
            self._runs.pop(key, None)
            return
        node_name = (pod.get("spec") or {}).get("nodeName")
        node = self.store.get("Node", "", node_name) if node_name else None
        if node is None or kubelet_stopped(node) or not _pod_cidr(node):
            return
        run = self._run_for(key, pod, str(node_name))
        stages.observe_fault(run, readiness_fault(pod), self.clock.now())
        ctx = _Context(self, pod, run, node)
        self._advance(key, pod, run, ctx)
        self._write_status(key, pod, run, node)
        if run.done:
            self._runs.pop(key, None)
            self.store.remove("Pod", namespace, name)

    def _advance(self, key: str, pod: Obj, run: PodRun, ctx: _Context) -> None:
        for _ in range(_MAX_STEPS):
            stage = stages.select(run, pod, ctx)
            if stage is None:
                return
            if stage.ident not in run.entered:
                run.entered.add(stage.ident)
                if stage.enter is not None:
                    run.version += 1
                    stage.enter(run, pod, ctx)
                    continue  # entering may change what is due
            now = self.clock.now()
            if stage.due > now + 1e-9:
                self.enqueue_after(key, stage.due - now)
                return
            run.version += 1
            stage.fire(run, pod, ctx)
            stages.fired(run, stage)
            if run.done:
                return
        self.enqueue(key)

    def _run_for(self, key: str, pod: Obj, node: str) -> PodRun:
        run = self._runs.get(key)
        uid = str(pod["metadata"].get("uid", ""))
        if run is None or run.uid != uid:
            run = new_run(pod, node, self.clock.now())
            adopt_status(run, pod, self.clock.parse_timestamp)
            for c in run.containers:
                if c.state == "running":
                    self.node_images(node).add(normalize_image(c.image))
            self._runs[key] = run
        return run

    def _write_status(self, key: str, pod: Obj, run: PodRun, node: Obj) -> None:
        """Render the pod's status and write it when it changed. A render that would give
        the stored status again is skipped, and parts equal to the last render are handed
        over as the stored status's own (see :mod:`engine.pod_status`)."""
        host_ip = _host_ip(node)
        last: LastStatus | None = run.last_status
        if is_current(last, pod, run, host_ip):
            return
        old = pod.get("status")
        status = render_status(pod, run, host_ip, self.clock)
        ours = last is not None and old is last.stored
        if ours and last is not None:
            status = reuse_stored(status, last.rendered, last.stored)
        if status == old:
            # a status another writer stored cannot stand for a render: types may differ
            run.last_status = None
            if ours and old is not None:
                remember(run, pod, old, status, host_ip)
            return
        self._own_write = (key, pod)
        try:
            stored = self.store.update({**pod, "status": status}, adopt=True)
        finally:
            self._own_write = None
        remember(run, pod, stored["status"], status, host_ip)

    # -- node resources ------------------------------------------------------------------------
    def allocate_ip(self, node: Obj) -> str:
        """The next pod IP of ``node``'s pod CIDR (host-local style, never one in use)."""
        node_name = name_of(node)
        cidr = _pod_cidr(node)
        ipam = self._ipams.get(node_name)
        if ipam is None or self._ipam_cidrs.get(node_name) != cidr:
            fresh = NodeIPAM(cidr)
            if ipam is None or str(ipam.network) != str(fresh.network):
                ipam = fresh
                self._ipams[node_name] = ipam
            self._ipam_cidrs[node_name] = cidr
        if not ipam.seeded:  # the first address on this node: seed from those in use
            in_use = {
                ip
                for p in self.store.index_view("Pod", NODE_NAME_INDEX, node_name)
                for ip in _pod_ip(p)
            }
            in_use |= {r.ip for r in self._runs.on_node(node_name) if r.ip}
            ipam.observe(in_use)
        return ipam.allocate(_TakenOn(self, node_name))

    def node_images(self, node: str) -> set[str]:
        """Normalised image references present on ``node``."""
        return self._images.setdefault(node, set())


class _TakenOn:
    """``ip in taken``: whether a pod on the node (its stored ``podIP``) or a run on it holds
    ``ip`` — asked of indexes, one address at a time, instead of listing the node's pods."""

    def __init__(self, kubelet: Kubelet, node: str) -> None:
        self.store, self.runs, self.node = kubelet.store, kubelet._runs, node

    def __contains__(self, ip: object) -> bool:
        for pod in self.store.index_view("Pod", POD_IP_INDEX, str(ip)):
            spec = pod.get("spec")
            node = spec.get("nodeName") if spec else None
            if node and str(node) == self.node:
                return True
        return self.runs.ip_taken(self.node, str(ip))


class _Context:
    """The side effects a stage may cause, bound to one pod on one node."""

    def __init__(self, kubelet: Kubelet, pod: Obj, run: PodRun, node: Obj) -> None:
        self.kubelet = kubelet
        self.pod = pod
        self.run = run
        self.node = node
        self.timings = kubelet.timings

    def now(self) -> float:
        return self.kubelet.clock.now()

    def event(self, type_: str, reason: str, message: str) -> None:
        host = name_of(self.node)
        self.kubelet.cluster.events.record(self.pod, type_, reason, message, "kubelet", host=host)

    def image_present(self, image: str) -> bool:
        return normalize_image(image) in self.kubelet.node_images(name_of(self.node))

    def remember_image(self, image: str) -> None:
        self.kubelet.node_images(name_of(self.node)).add(normalize_image(image))

    def allocate_ip(self) -> str:
        try:
            ip = self.kubelet.allocate_ip(self.node)
        except RangeExhausted as exc:
            sandbox = digest_of(f"{self.run.uid}/sandbox")
            self.event(
                "Warning",
                "FailedCreatePodSandBox",
                "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup "
                f'network for sandbox "{sandbox}": plugin type="ptp" failed (add): '
                f"failed to allocate for range 0: {exc}",
            )
            return ""
        if self.kubelet._runs.get(self.run.key) is self.run:  # it takes it: ``run.ip = ip``
            self.kubelet._runs.hold(self.run.key, ip)
        return ip

    def terminated(self, c: ContainerRun) -> dict[str, object]:
        return terminated_state(self.run, c, self.kubelet.clock)


def _pod_cidr(node: Obj) -> str:
    spec = node.get("spec") or {}
    return str(spec.get("podCIDR") or (spec.get("podCIDRs") or [""])[0] or "")


def _host_ip(node: Obj) -> str:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP":
            return str(address.get("address", ""))
    return ""
