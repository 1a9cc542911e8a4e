"""The check vocabulary: each check type's fields (for validation) and its probe.

Checks are data, never code. A check in an exercise file is a mapping with a ``type`` and the
fields of that type; :data:`CHECK_TYPES` says which fields exist, which are required, what
type of value each takes, and which fields exclude each other. :func:`evaluate` runs the
probe. Every namespaced check takes an optional ``namespace`` (default: the exercise's).

=============== =============================================================================
type            fields
=============== =============================================================================
podExists       pod
podAbsent       pod
podReady        pod, ready (default true; false: exists and is not Ready)
podRestarted    pod, atLeast (default 1)
podReplaced     pod — exists and is not the pod of the starting state (new UID)
exists          kind, name, exists (default true; false: the object does not exist)
replaced        kind, name — exists and is not the object of the starting state (new UID)
readyReplicas   name, replicas, kind (StatefulSet | Deployment | ReplicaSet; default StatefulSet)
pvcBound        claim, usedBy (a pod that mounts it)
dns             name, from (client namespace), and one of pods (exact A set) | nxdomain: true
fileContains    pod, path, text, addressesOf (pods whose current IP it must contain), container
field           kind, name, path (dotted), and one of equals | notEquals | absent
condition       kind, name, condition, status (default "True")
event           kind, name, reason, message (substring), eventType (Normal | Warning)
=============== =============================================================================
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.exercises import probes, probes_net
from engine.exercises.context import Context, Outcome
from engine.exercises.model import Check
from engine.objects import KINDS

log = logging.getLogger(__name__)

Probe = Callable[[Context, dict[str, Any]], Outcome]


@dataclass(frozen=True)
class FieldSpec:
    """One field of a check type: its value type and whether it is required.

    ``kind`` is ``string``, ``integer``, ``boolean``, ``strings`` (a list of strings),
    ``kind`` (a Kubernetes kind the playground knows), ``value`` (any scalar or list), or
    ``choice`` with ``choices``.
    """

    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckType:
    """A check type: fields, groups of which exactly one must be given, and the probe."""

    fields: dict[str, FieldSpec]
    probe: Probe
    one_of: tuple[str, ...] = ()


def _check(fields: dict[str, FieldSpec], probe: Probe, one_of: tuple[str, ...] = ()) -> CheckType:
    """A check type; every check takes an optional ``namespace``."""
    return CheckType({**fields, "namespace": FieldSpec("string")}, probe, one_of)


def _req(kind: str) -> FieldSpec:
    return FieldSpec(kind, required=True)


def _opt(kind: str) -> FieldSpec:
    return FieldSpec(kind)


_POD = {"pod": _req("string")}
_OBJECT = {"kind": _req("kind"), "name": _req("string")}
WORKLOADS = ("StatefulSet", "Deployment", "ReplicaSet")
EVENT_TYPES = ("Normal", "Warning")

CHECK_TYPES: dict[str, CheckType] = {
    "podExists": _check(_POD, probes.pod_exists),
    "podAbsent": _check(_POD, probes.pod_absent),
    "podReady": _check({**_POD, "ready": _opt("boolean")}, probes.pod_ready),
    "podRestarted": _check({**_POD, "atLeast": _opt("integer")}, probes.pod_restarted),
    "podReplaced": _check(_POD, probes.pod_replaced),
    "exists": _check({**_OBJECT, "exists": _opt("boolean")}, probes.exists),
    "replaced": _check(_OBJECT, probes.replaced),
    "readyReplicas": _check(
        {
            "name": _req("string"),
            "replicas": _req("integer"),
            "kind": FieldSpec("choice", choices=WORKLOADS),
        },
        probes.ready_replicas,
    ),
    "pvcBound": _check({"claim": _req("string"), "usedBy": _opt("string")}, probes.pvc_bound),
    "dns": _check(
        {
            "name": _req("string"),
            "from": _opt("string"),
            "pods": _opt("strings"),
            "nxdomain": _opt("boolean"),
        },
        probes_net.dns,
        one_of=("pods", "nxdomain"),
    ),
    "fileContains": _check(
        {
            **_POD,
            "path": _req("string"),
            "text": _req("string"),
            "addressesOf": _opt("strings"),
            "container": _opt("string"),
        },
        probes_net.file_contains,
    ),
    "field": _check(
        {
            **_OBJECT,
            "path": _req("string"),
            "equals": _opt("value"),
            "notEquals": _opt("value"),
            "absent": _opt("boolean"),
        },
        probes.field_value,
        one_of=("equals", "notEquals", "absent"),
    ),
    "condition": _check(
        {
            **_OBJECT,
            "condition": _req("string"),
            "status": FieldSpec("choice", choices=("True", "False", "Unknown")),
        },
        probes.condition,
    ),
    "event": _check(
        {
            **_OBJECT,
            "reason": _req("string"),
            "message": _opt("string"),
            "eventType": FieldSpec("choice", choices=EVENT_TYPES),
        },
        probes.event,
    ),
}


def known_kinds() -> tuple[str, ...]:
    """Kinds a check may name."""
    return tuple(KINDS)


def evaluate(check: Check, ctx: Context) -> Outcome:
    """Run one check against the context's cluster. A probe that trips over an object of an
    unexpected shape fails the check with the error as its reason (never the app)."""
    try:
        return CHECK_TYPES[check.type].probe(ctx, check.fields)
    except Exception as exc:
        if ctx.cluster.strict:
            raise
        log.exception("check %s (%s) failed", check.type, check.where)
        return Outcome(False, f"{check.type} check could not run: {type(exc).__name__}: {exc}")


def evaluate_all(checks: tuple[Check, ...], ctx: Context) -> list[Outcome]:
    """Run several checks."""
    return [evaluate(c, ctx) for c in checks]
