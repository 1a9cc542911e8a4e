"""Object validation per kind (kubernetes/kubernetes ``pkg/apis/{core,apps,storage}/validation``).

:func:`validate` takes a *defaulted* object (as the API server validates after defaulting) and
returns its field errors in the API's words. Faithful quirks kept on purpose: StatefulSet names
are DNS labels; a StatefulSet's pod template is checked only for labels, restartPolicy and
activeDeadlineSeconds (its pods are validated when the controller creates them), while a
Deployment's or ReplicaSet's template is validated in full.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from engine.objects import Obj, is_namespaced
from engine.schema.errors import (
    FieldError,
    FieldPath,
    GoStruct,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from engine.schema.names import (
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_port_name,
    is_port_num,
    validate_annotations,
    validate_label_selector,
    validate_labels,
)
from engine.schema.types import INT32_MAX
from engine.schema.validate_pod import NONNEG, PROTOCOLS, validate_pod_spec
from engine.schema.validate_storage import validate_pv, validate_pvc, validate_storage_class
from engine.selectors import SelectorError, from_label_selector

Dict = dict[str, Any]
NameCheck = Callable[[str], list[str]]

_NAME_RULES: dict[str, NameCheck] = {
    "Namespace": is_dns1123_label,
    "StatefulSet": is_dns1123_label,
    "Service": is_dns1035_label,
}
ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")


def _nonneg(spec: Dict, key: str, path: FieldPath) -> list[FieldError]:
    """An int32 count: not negative, and (for writes that skip the decoder: intents, demo
    steps) within the int32 range the Go type holds."""
    value = spec.get(key)
    if not isinstance(value, int):
        return []
    if value < 0:
        return [invalid((*path, key), value, NONNEG)]
    if value > INT32_MAX:
        return [invalid((*path, key), value, f"must be between 0 and {INT32_MAX}, inclusive")]
    return []


def validate_meta(obj: Obj) -> list[FieldError]:
    """``ValidateObjectMeta``: name (rule per kind), namespace, labels, annotations."""
    md = obj.get("metadata") or {}
    kind = str(obj.get("kind"))
    errs: list[FieldError] = []
    name = md.get("name")
    if not name:
        if not md.get("generateName"):
            errs.append(required(("metadata", "name"), "name or generateName is required"))
    else:
        check = _NAME_RULES.get(kind, is_dns1123_subdomain)
        errs += [invalid(("metadata", "name"), name, m) for m in check(name)]
    ns = md.get("namespace")
    if ns and kind in _KINDS and is_namespaced(kind):
        errs += [invalid(("metadata", "namespace"), ns, m) for m in is_dns1123_label(ns)]
    errs += validate_labels(md.get("labels"), ("metadata", "labels"))
    errs += validate_annotations(md.get("annotations"), ("metadata", "annotations"))
    return errs


def _selector(selector: Dict | None, labels: Dict | None, owner: str) -> list[FieldError]:
    """Selector present, valid, non-empty and matching the template's labels."""
    if selector is None:
        return [required(("spec", "selector"))]
    errs = validate_label_selector(selector, ("spec", "selector"))
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        detail = f"empty selector is invalid for {owner}"
        return [*errs, invalid(("spec", "selector"), selector, detail)]
    try:
        matches = from_label_selector(selector)(labels or {})
    except (SelectorError, KeyError, TypeError):
        matches = True  # reported by validate_label_selector
    if not matches:
        path = ("spec", "template", "metadata", "labels")
        errs.append(invalid(path, labels, "`selector` does not match template `labels`"))
    return errs


def _selector_and_template(obj: Obj, owner: str, full_template: bool) -> list[FieldError]:
    spec = obj.get("spec") or {}
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels")  # None prints as null
    errs = _selector(spec.get("selector"), labels, owner)
    pod_spec = template.get("spec") or {}
    tp: FieldPath = ("spec", "template")
    # a StatefulSet's template labels are checked under the API's own path for them
    errs += validate_labels(
        labels, (*tp, "metadata", "labels") if full_template else (*tp, "labels")
    )
    if full_template:
        errs += validate_pod_spec(pod_spec, (*tp, "spec"))
    restart = pod_spec.get("restartPolicy")
    if restart != "Always":
        errs.append(not_supported((*tp, "spec", "restartPolicy"), restart or "", ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        what = "StatefulSet" if owner == "statefulset" else "ReplicaSet"
        detail = f"activeDeadlineSeconds in {what} is not Supported"
        errs.append(forbidden((*tp, "spec", "activeDeadlineSeconds"), detail))
    return errs


_PERCENT = re.compile(r"^[0-9]+%$")


def _int_or_percent(value: Any, path: FieldPath) -> list[FieldError]:
    if isinstance(value, str):
        if not _PERCENT.match(value):
            return [invalid(path, value, "must be an integer or percentage (e.g '5%')")]
        if int(value[:-1]) > 100:
            return [invalid(path, value, "must not be greater than 100%")]
        return []
    return [invalid(path, value, NONNEG)] if isinstance(value, int) and value < 0 else []


def _scaled(value: Any) -> int:
    if isinstance(value, str) and value.endswith("%"):
        return int(value[:-1] or 0)
    return int(value or 0)


def _go_rolling(rolling: Dict | None) -> GoStruct | None:
    """apps.RollingUpdateStatefulSetStrategy as the API prints it."""
    if rolling is None:
        return None
    return GoStruct(
        (
            ("Partition", rolling.get("partition", 0)),
            ("MaxUnavailable", rolling.get("maxUnavailable")),
        )
    )


def _sts_strategy(strategy: Dict, path: FieldPath) -> list[FieldError]:
    rolling = strategy.get("rollingUpdate")
    kind = strategy.get("type")
    if kind not in ("RollingUpdate", "OnDelete"):
        value = GoStruct((("Type", kind or ""), ("RollingUpdate", _go_rolling(rolling))))
        return [invalid(path, value, "must be 'RollingUpdate' or 'OnDelete'")]
    if rolling is None:
        return []
    rp = (*path, "rollingUpdate")
    if kind == "OnDelete":
        detail = "only allowed for updateStrategy 'RollingUpdate'"
        return [invalid(rp, _go_rolling(rolling), detail)]
    errs: list[FieldError] = []
    if "maxUnavailable" in rolling:
        errs += _int_or_percent(rolling["maxUnavailable"], (*rp, "maxUnavailable"))
        if _scaled(rolling["maxUnavailable"]) == 0:
            errs.append(invalid((*rp, "maxUnavailable"), rolling["maxUnavailable"], "cannot be 0"))
    return errs + _nonneg(rolling, "partition", rp)


def validate_statefulset(obj: Obj) -> list[FieldError]:
    """``ValidateStatefulSetSpec``."""
    spec = obj.get("spec") or {}
    p: FieldPath = ("spec",)
    errs: list[FieldError] = []
    policy = spec.get("podManagementPolicy")
    if policy not in ("OrderedReady", "Parallel"):
        detail = "must be 'OrderedReady' or 'Parallel'"
        errs.append(invalid((*p, "podManagementPolicy"), policy or "", detail))
    errs += _sts_strategy(spec.get("updateStrategy") or {}, (*p, "updateStrategy"))
    retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    for key in ("whenDeleted", "whenScaled"):
        if key in retention and retention[key] not in ("Retain", "Delete"):
            rpath = (*p, "persistentVolumeClaimRetentionPolicy", key)
            errs.append(not_supported(rpath, retention[key], ("Retain", "Delete")))
    errs += _nonneg(spec, "replicas", p) + _nonneg(spec, "minReadySeconds", p)
    start = (spec.get("ordinals") or {}).get("start")
    if isinstance(start, int) and start < 0:
        errs.append(invalid((*p, "ordinals.start"), start, NONNEG))
    return errs + _selector_and_template(obj, "statefulset", full_template=False)


def _deployment_strategy(strategy: Dict, path: FieldPath) -> list[FieldError]:
    kind = strategy.get("type")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [
                forbidden(
                    (*path, "rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                )
            ]
        return []
    if kind != "RollingUpdate":
        return [not_supported((*path, "type"), kind or "", ("Recreate", "RollingUpdate"))]
    rolling = rolling or {}
    rp = (*path, "rollingUpdate")
    errs = _int_or_percent(rolling.get("maxUnavailable"), (*rp, "maxUnavailable"))
    errs += _int_or_percent(rolling.get("maxSurge"), (*rp, "maxSurge"))
    if _scaled(rolling.get("maxUnavailable")) == 0 and _scaled(rolling.get("maxSurge")) == 0:
        errs.append(
            invalid(
                (*rp, "maxUnavailable"),
                rolling.get("maxUnavailable"),
                "may not be 0 when `maxSurge` is 0",
            )
        )
    return errs


def validate_deployment(obj: Obj) -> list[FieldError]:
    """``ValidateDeploymentSpec``."""
    spec = obj.get("spec") or {}
    p: FieldPath = ("spec",)
    errs = _nonneg(spec, "replicas", p)
    errs += _selector_and_template(obj, "deployment", full_template=True)
    errs += _deployment_strategy(spec.get("strategy") or {}, (*p, "strategy"))
    errs += _nonneg(spec, "revisionHistoryLimit", p) + _nonneg(spec, "minReadySeconds", p)
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int):
        errs += _nonneg(spec, "progressDeadlineSeconds", p)
        if deadline <= int(spec.get("minReadySeconds") or 0):
            errs.append(
                invalid(
                    (*p, "progressDeadlineSeconds"),
                    deadline,
                    "must be greater than minReadySeconds",
                )
            )
    return errs


def validate_replicaset(obj: Obj) -> list[FieldError]:
    """``ValidateReplicaSetSpec``."""
    spec = obj.get("spec") or {}
    errs = _nonneg(spec, "replicas", ("spec",)) + _nonneg(spec, "minReadySeconds", ("spec",))
    return errs + _selector_and_template(obj, "replicaset", full_template=True)


def validate_pod(obj: Obj) -> list[FieldError]:
    """``ValidatePodCreate`` (spec part)."""
    return validate_pod_spec(obj.get("spec") or {}, ("spec",))


def _port_key(port: Dict) -> GoStruct:
    """The ``core.ServicePort{Protocol, Port}`` key the API checks for duplicates."""
    return GoStruct(
        (("Name", ""), ("Protocol", port.get("protocol")), ("AppProtocol", None),
         ("Port", port.get("port")), ("TargetPort", 0), ("NodePort", 0))
    )  # fmt: skip


def _service_ports(spec: Dict, path: FieldPath) -> list[FieldError]:
    ports = spec.get("ports") or []
    errs: list[FieldError] = []
    names: set[str] = set()
    seen: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        p = (*path, "ports", i)
        if (port.get("port"), port.get("protocol")) in seen:
            errs.append(duplicate(p, _port_key(port)))
        seen.add((port.get("port"), port.get("protocol")))
        name = port.get("name")
        if len(ports) > 1 and not name:
            errs.append(required((*p, "name")))
        elif name:
            errs += [invalid((*p, "name"), name, m) for m in is_dns1123_label(name)]
            if name in names:
                errs.append(duplicate((*p, "name"), name))
            names.add(name)
        errs += [invalid((*p, "port"), port.get("port"), m) for m in is_port_num(port.get("port"))]
        if port.get("protocol") not in PROTOCOLS:
            errs.append(not_supported((*p, "protocol"), port.get("protocol"), PROTOCOLS))
        target = port.get("targetPort")
        if isinstance(target, str):
            errs += [invalid((*p, "targetPort"), target, m) for m in is_port_name(target)]
        elif target not in (None, 0):  # 0 is Go's "unset"
            errs += [invalid((*p, "targetPort"), target, m) for m in is_port_num(target)]
    return errs


def _cluster_ip(spec: Dict, path: FieldPath) -> list[FieldError]:
    ip = spec.get("clusterIP")
    if not ip or ip == "None":
        if ip == "None" and spec.get("type") in ("NodePort", "LoadBalancer"):
            return [
                invalid(
                    (*path, "clusterIPs", 0),
                    ip,
                    f"may not be set to 'None' for {spec['type']} services",
                )
            ]
        return []
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return [
            invalid(
                (*path, "clusterIPs", 0),
                ip,
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            )
        ]
    return []


def validate_service(obj: Obj) -> list[FieldError]:
    """``ValidateService`` for the fields the playground models."""
    spec = obj.get("spec") or {}
    p: FieldPath = ("spec",)
    kind = spec.get("type")
    errs: list[FieldError] = []
    types = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
    if kind not in types:
        errs.append(not_supported((*p, "type"), kind or "", types))
    if kind == "ExternalName":
        if not spec.get("externalName"):
            errs.append(required((*p, "externalName")))
    elif not spec.get("ports") and spec.get("clusterIP") != "None":
        errs.append(required((*p, "ports")))
    errs += _service_ports(spec, p)
    errs += validate_labels(spec.get("selector"), (*p, "selector"))
    affinity = spec.get("sessionAffinity")
    if affinity not in ("ClientIP", "None"):
        errs.append(not_supported((*p, "sessionAffinity"), affinity or "", ("ClientIP", "None")))
    errs += _cluster_ip(spec, p)
    policy = spec.get("internalTrafficPolicy")
    if policy is not None and policy not in ("Cluster", "Local"):
        errs.append(not_supported((*p, "internalTrafficPolicy"), policy, ("Cluster", "Local")))
    family = spec.get("ipFamilyPolicy")
    families = ("PreferDualStack", "RequireDualStack", "SingleStack")
    if family is not None and family not in families:
        errs.append(not_supported((*p, "ipFamilyPolicy"), family, families))
    return errs


def validate_node(obj: Obj) -> list[FieldError]:
    """Nodes: only metadata is checked."""
    return []


_KINDS: dict[str, Callable[[Obj], list[FieldError]]] = {
    "Namespace": lambda obj: [],
    "Node": validate_node,
    "Pod": validate_pod,
    "Service": validate_service,
    "PersistentVolumeClaim": validate_pvc,
    "PersistentVolume": validate_pv,
    "StorageClass": validate_storage_class,
    "StatefulSet": validate_statefulset,
    "Deployment": validate_deployment,
    "ReplicaSet": validate_replicaset,
}


def validate(obj: Obj) -> list[FieldError]:
    """All field errors of a defaulted object of a kind manifests may contain."""
    check = _KINDS.get(str(obj.get("kind")))
    if check is None:
        return []
    return validate_meta(obj) + check(obj)
