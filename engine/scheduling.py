"""The scheduling algorithm as pure functions: PreFilter, Filter, Score and the FitError text.

Mirrors the default kube-scheduler 1.35 plugin chain for what the playground models:

* **PreFilter** (VolumeBinding): every claim must exist and not be terminating; an unbound claim
  of an ``Immediate`` StorageClass stops scheduling (``pod has unbound immediate
  PersistentVolumeClaims``); unbound ``WaitForFirstConsumer`` claims are *delayed* — the chosen
  node is written to the claim (``volume.kubernetes.io/selected-node``) for the provisioner.
* **Filter**, per node in plugin order, first failure wins: NodeUnschedulable, TaintToleration,
  NodeAffinity, NodeResourcesFit (pod count), VolumeBinding (bound PVs' node affinity).
* **Score**: spread pods of one owner (fewest siblings on the node), then fewest pods, then name.

The failure message is ``FitError.Error()`` (``pkg/scheduler/framework/types.go``) followed by
the DefaultPreemption post-filter text; every pod has priority 0, so nodes that failed a
resolvable filter report ``No preemption victims found for incoming pod`` and the others
``Preemption is not helpful for scheduling``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from engine.objects import Obj, controller_ref, name_of
from engine.quantity import amount
from engine.store import Store
from engine.taints import (
    TAINT_UNSCHEDULABLE,
    pod_tolerations,
    selector_terms_match,
    tolerates,
    untolerated,
)

SELECTED_NODE = "volume.kubernetes.io/selected-node"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"

REASON_UNSCHEDULABLE = "node(s) were unschedulable"
REASON_TAINT = "node(s) had untolerated taint(s)"
REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
REASON_TOO_MANY_PODS = "Too many pods"
REASON_PV_AFFINITY = "node(s) didn't match PersistentVolume's node affinity"
UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_NODES = "no nodes available to schedule pods"

#: resources NodeResourcesFit checks besides the pod count, in its order
_RESOURCES = ("cpu", "memory")
#: taint effects TaintToleration filters on
_SCHEDULE_EFFECTS = {"NoSchedule", "NoExecute"}


@dataclass
class VolumeInfo:
    """PreFilter result for the pod's claims."""

    error: str = ""
    #: nodeSelectorTerms of the PVs the pod's bound claims use
    pv_terms: list[list[dict[str, Any]]] = field(default_factory=list)
    #: unbound WaitForFirstConsumer claims, to be provisioned on the chosen node
    delayed: list[Obj] = field(default_factory=list)


def claim_names(pod: Obj) -> list[str]:
    """Names of the PersistentVolumeClaims the pod's volumes use."""
    names = []
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        claim = volume.get("persistentVolumeClaim") or {}
        if claim.get("claimName"):
            names.append(str(claim["claimName"]))
    return names


def binding_mode(store: Store, pvc: Obj) -> str:
    """volumeBindingMode of the claim's StorageClass (``Immediate`` when none applies)."""
    class_name = (pvc.get("spec") or {}).get("storageClassName")
    if class_name is None:
        classes = [
            sc
            for sc in store.list("StorageClass")
            if (sc["metadata"].get("annotations") or {}).get(DEFAULT_CLASS) == "true"
        ]
        sc = classes[0] if classes else None
    else:
        sc = store.get("StorageClass", "", str(class_name)) if class_name else None
    return str((sc or {}).get("volumeBindingMode", "Immediate"))


def volume_prefilter(store: Store, pod: Obj) -> VolumeInfo:
    """Check the pod's claims (VolumeBinding PreFilter)."""
    info = VolumeInfo()
    namespace = str(pod["metadata"].get("namespace", "default"))
    for claim in claim_names(pod):
        pvc = store.get("PersistentVolumeClaim", namespace, claim)
        if pvc is None:
            info.error = f'persistentvolumeclaim "{claim}" not found'
            return info
        if pvc["metadata"].get("deletionTimestamp"):
            info.error = f'persistentvolumeclaim "{claim}" is being deleted'
            return info
        volume_name = (pvc.get("spec") or {}).get("volumeName")
        if volume_name:
            pv = store.get("PersistentVolume", "", str(volume_name))
            if pv is None:
                info.error = f'persistentvolume "{volume_name}" not found'
                return info
            terms = (((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {}).get(
                "nodeSelectorTerms"
            )
            if terms:
                info.pv_terms.append(list(terms))
        elif binding_mode(store, pvc) == "WaitForFirstConsumer":
            info.delayed.append(pvc)
        else:
            info.error = UNBOUND_IMMEDIATE
            return info
    return info


def filter_node(
    pod: Obj, node: Obj, pods_on_node: Collection[Obj], volumes: VolumeInfo
) -> list[str]:
    """The first failing Filter plugin's reasons for ``node`` (empty: the pod fits)."""
    return PodFit(pod, volumes).filter(node, pods_on_node)


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What the Filter plugins read from a node, worked out once per version of the node."""

    name: str
    node: Obj
    unschedulable: bool
    taints: list[dict[str, Any]]
    max_pods: int


def node_facts(node: Obj) -> NodeFacts:
    """The :class:`NodeFacts` of ``node``."""
    spec = node.get("spec") or {}
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    return NodeFacts(
        name=name_of(node),
        node=node,
        unschedulable=bool(spec.get("unschedulable")),
        taints=spec.get("taints") or [],
        max_pods=_int(allocatable.get("pods"), 110),
    )


class PodFit:
    """The Filter plugins for one pod: what depends only on the pod (tolerations, requests,
    node selector) is worked out once, then :meth:`check` tries each node."""

    def __init__(self, pod: Obj, volumes: VolumeInfo) -> None:
        spec = pod.get("spec") or {}
        self.volumes = volumes
        self.tolerations = pod_tolerations(pod)
        cordon = {"key": TAINT_UNSCHEDULABLE, "effect": "NoSchedule"}
        self.tolerates_cordon = any(tolerates(t, cordon) for t in self.tolerations)
        self.wanted = pod_requests(pod)
        self.requests_something = any(self.wanted.values())
        self.node_selector: dict[str, Any] = spec.get("nodeSelector") or {}
        self.required_terms: list[dict[str, Any]] | None = (
            ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
                "requiredDuringSchedulingIgnoredDuringExecution"
            )
            or {}
        ).get("nodeSelectorTerms")
        self.any_affinity = bool(self.node_selector or self.required_terms)

    def filter(self, node: Obj, pods_on_node: Collection[Obj]) -> list[str]:
        """The first failing Filter plugin's reasons for ``node`` (empty: the pod fits)."""
        return self.check(node_facts(node), pods_on_node)

    def check(self, facts: NodeFacts, pods_on_node: Collection[Obj]) -> list[str]:
        """:meth:`filter` on a node's :class:`NodeFacts`."""
        if facts.unschedulable and not self.tolerates_cordon:
            return [REASON_UNSCHEDULABLE]
        taints = facts.taints
        if taints and untolerated(taints, self.tolerations, _SCHEDULE_EFFECTS) is not None:
            return [REASON_TAINT]
        if self.any_affinity and not self._affinity_matches(facts.node):
            return [REASON_AFFINITY]
        reasons = [REASON_TOO_MANY_PODS] if len(pods_on_node) + 1 > facts.max_pods else []
        if self.requests_something:  # else only the pod count matters
            reasons += self.insufficient(facts.node, pods_on_node)
        if reasons:
            return reasons
        pv_terms = self.volumes.pv_terms
        if pv_terms and any(not selector_terms_match(t, facts.node) for t in pv_terms):
            return [REASON_PV_AFFINITY]
        return []

    def _affinity_matches(self, node: Obj) -> bool:
        if self.node_selector:
            labels: dict[str, str] = node["metadata"].get("labels") or {}
            for key, value in self.node_selector.items():
                if labels.get(str(key)) != str(value):
                    return False
        required = self.required_terms
        return not required or selector_terms_match(list(required), node)

    def insufficient(self, node: Obj, pods_on_node: Collection[Obj]) -> list[str]:
        """NodeResourcesFit's ``Insufficient cpu|memory`` reasons."""
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        wanted = self.wanted
        used: dict[str, Fraction] = dict.fromkeys(_RESOURCES, Fraction(0))
        for other in pods_on_node:
            for name, requested in pod_requests(other).items():
                used[name] += requested
        reasons = []
        for name in _RESOURCES:
            if wanted[name] <= 0:
                continue
            free = amount(allocatable.get(name)) - used[name]
            if wanted[name] > free:
                reasons.append(f"Insufficient {name}")
        return reasons


def resource_shortfalls(pod: Obj, node: Obj, pods_on_node: Collection[Obj]) -> list[str]:
    """NodeResourcesFit: ``Too many pods`` and ``Insufficient cpu|memory`` reasons."""
    fit = PodFit(pod, VolumeInfo())
    reasons = [REASON_TOO_MANY_PODS] if len(pods_on_node) + 1 > node_facts(node).max_pods else []
    return reasons + fit.insufficient(node, pods_on_node) if fit.requests_something else reasons


def pod_requests(pod: Obj) -> dict[str, Fraction]:
    """Summed container requests (limits stand in for missing requests, as API defaulting
    copies them)."""
    total: dict[str, Fraction] = dict.fromkeys(_RESOURCES, Fraction(0))
    for c in (pod.get("spec") or {}).get("containers") or []:
        resources = c.get("resources") or {}
        requests = resources.get("requests") or {}
        limits = resources.get("limits") or {}
        for name in _RESOURCES:
            raw = requests.get(name, limits.get(name))
            if raw is not None:
                total[name] += amount(raw)
    return total


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def score_key(pod: Obj, node: Obj, pods: list[Obj]) -> tuple[int, int, str]:
    """Lower is better: (siblings of the same owner, pods on the node, node name)."""
    ref = controller_ref(pod)
    owner = ref.get("uid") if ref else None
    siblings = sum(1 for p in pods if owner and (controller_ref(p) or {}).get("uid") == owner)
    return (siblings, len(pods), name_of(node))


def fit_error(num_nodes: int, reasons: dict[str, list[str]], prefilter: str = "") -> str:
    """``FitError.Error()`` plus the preemption post-filter message, as the scheduler writes
    them into the PodScheduled condition and the FailedScheduling event."""
    if num_nodes == 0:
        return NO_NODES
    head = f"0/{num_nodes} nodes are available:"
    if prefilter:
        head += f" {prefilter}."
        preemption = Counter({NOT_HELPFUL: num_nodes})
    else:
        head += f" {_histogram(Counter(r for node in reasons.values() for r in node))}."
        preemption = Counter(_preemption_reason(node) for node in reasons.values())
    return f"{head} preemption: 0/{num_nodes} nodes are available: {_histogram(preemption)}."


def _preemption_reason(node_reasons: list[str]) -> str:
    """NodeResourcesFit failures are ``Unschedulable`` (preemption might help, but every pod
    has priority 0, so no victims); every other filter is ``UnschedulableAndUnresolvable``."""
    resolvable = all(
        r == REASON_TOO_MANY_PODS or r.startswith("Insufficient ") for r in node_reasons
    )
    return NO_VICTIMS if resolvable else NOT_HELPFUL


def _histogram(counts: Counter[str]) -> str:
    return ", ".join(sorted(f"{n} {reason}" for reason, n in counts.items()))
