"""Taints, tolerations and node selector terms: the matching rules the scheduler, the node
lifecycle controller and the taint-eviction controller share.

Semantics follow ``k8s.io/api/core/v1`` ``Toleration.ToleratesTaint`` and
``component-helpers/scheduling/corev1/nodeaffinity``: a toleration with an empty key and
``operator: Exists`` tolerates everything; an empty effect matches every effect; ``Equal`` (the
default operator) compares values. Node selector terms are ORed, their expressions ANDed.
"""

from __future__ import annotations

from typing import Any

from engine.objects import Obj

#: Taint keys the node controllers manage (k8s.io/api/core/v1 well_known_taints.go).
TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
TAINT_OUT_OF_SERVICE = "node.kubernetes.io/out-of-service"

Taint = dict[str, Any]
Toleration = dict[str, Any]


def node_taints(node: Obj) -> list[Taint]:
    """spec.taints of a node (empty list when none)."""
    taints: list[Taint] = (node.get("spec") or {}).get("taints") or []
    return taints


def pod_tolerations(pod: Obj) -> list[Toleration]:
    """spec.tolerations of a pod (empty list when none)."""
    tolerations: list[Toleration] = (pod.get("spec") or {}).get("tolerations") or []
    return tolerations


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """Whether one toleration tolerates one taint (``Toleration.ToleratesTaint``)."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    return bool(key) and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated(
    taints: list[Taint], tolerations: list[Toleration], effects: set[str]
) -> Taint | None:
    """The first taint with one of ``effects`` that no toleration tolerates, or None."""
    for taint in taints:
        if taint.get("effect") not in effects:
            continue
        if not any(tolerates(t, taint) for t in tolerations):
            return taint
    return None


def toleration_seconds(tolerations: list[Toleration], taint: Taint) -> float | None:
    """How long a pod may stay on a node with the NoExecute ``taint``.

    Returns -1.0 when no toleration matches (evict now), None when a matching toleration has
    no ``tolerationSeconds`` (stay forever), else the smallest matching value (taint-eviction
    controller ``getMinTolerationTime``).
    """
    matching = [t for t in tolerations if tolerates(t, taint)]
    if not matching:
        return -1.0
    seconds = [
        float(t["tolerationSeconds"]) for t in matching if t.get("tolerationSeconds") is not None
    ]
    if len(seconds) < len(matching):
        return None
    return max(0.0, min(seconds))


def has_taint(node: Obj, key: str, effect: str) -> bool:
    """Whether the node carries the taint ``key:effect``."""
    return any(t.get("key") == key and t.get("effect") == effect for t in node_taints(node))


def _expression_matches(expr: dict[str, Any], labels: dict[str, str]) -> bool:
    key, op = str(expr.get("key", "")), str(expr.get("operator", ""))
    values = [str(v) for v in expr.get("values") or []]
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt") and key in labels and values:
        try:
            have, want = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def _field_matches(expr: dict[str, Any], node: Obj) -> bool:
    fields = {"metadata.name": str(node["metadata"]["name"])}
    return _expression_matches(expr, fields)


def selector_terms_match(terms: list[dict[str, Any]], node: Obj) -> bool:
    """Whether ``node`` matches a NodeSelector's terms (ORed; an empty term matches nothing)."""
    labels: dict[str, str] = node["metadata"].get("labels") or {}
    for term in terms:
        exprs = term.get("matchExpressions") or []
        fields = term.get("matchFields") or []
        if not exprs and not fields:
            continue
        if all(_expression_matches(e, labels) for e in exprs) and all(
            _field_matches(f, node) for f in fields
        ):
            return True
    return False
