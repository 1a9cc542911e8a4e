"""Pod spec validation (``ValidatePodSpec`` and the container, port, volume, probe and
toleration checks under it, kubernetes/kubernetes ``pkg/apis/core/validation``).

Runs on defaulted objects, as the API server's validation does.
"""

from __future__ import annotations

import re
from typing import Any

from engine.quantity import value_of
from engine.schema.core import VOLUME_SOURCES
from engine.schema.errors import (
    FieldError,
    FieldPath,
    duplicate,
    forbidden,
    invalid,
    not_found,
    not_supported,
    required,
)
from engine.schema.names import (
    is_dns1123_label,
    is_port_name,
    is_port_num,
    validate_labels,
)

Dict = dict[str, Any]
PROTOCOLS = ("SCTP", "TCP", "UDP")
NONNEG = "must be greater than or equal to 0"
_ENV_NAME = re.compile(r"^[ -<>-~]+$")  # printable ASCII except '='


def _nonneg(value: Any, path: FieldPath) -> list[FieldError]:
    return [invalid(path, value, NONNEG)] if isinstance(value, int) and value < 0 else []


def _enum(value: Any, path: FieldPath, allowed: tuple[str, ...]) -> list[FieldError]:
    if value in (None, ""):
        return [required(path)]
    return [] if value in allowed else [not_supported(path, value, allowed)]


def _port_value(port: Any, path: FieldPath) -> list[FieldError]:
    if isinstance(port, str):
        return [invalid(path, port, m) for m in is_port_name(port)]
    return [invalid(path, port, m) for m in is_port_num(port)]


def validate_ports(ports: list[Dict], path: FieldPath) -> list[FieldError]:
    """``validateContainerPorts``."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(ports):
        p = (*path, i)
        name = port.get("name")
        if name:
            msgs = is_port_name(name)
            errs += [invalid((*p, "name"), name, m) for m in msgs]
            if not msgs and name in names:
                errs.append(duplicate((*p, "name"), name))
            names.add(name)
        if not port.get("containerPort"):
            errs.append(required((*p, "containerPort")))
        else:
            errs += _port_value(port["containerPort"], (*p, "containerPort"))
        if port.get("hostPort"):
            errs += _port_value(port["hostPort"], (*p, "hostPort"))
        errs += _enum(port.get("protocol"), (*p, "protocol"), PROTOCOLS)
    return errs


_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def _resource_name(name: str, key: FieldPath) -> list[FieldError]:
    """``validateContainerResourceName``: a standard name, ``hugepages-<size>`` or a
    fully-qualified extended resource (``example.com/gpu``)."""
    if "/" in name or name in _CONTAINER_RESOURCES or name.startswith("hugepages-"):
        return []
    return [invalid(key, name, "must be a standard resource for containers")]


def validate_resources(res: Dict, path: FieldPath) -> list[FieldError]:
    """Resource names, non-negative quantities, requests not above limits."""
    errs: list[FieldError] = []
    limits = res.get("limits") or {}
    for section in ("limits", "requests"):
        for name, value in (res.get(section) or {}).items():
            key = (*path, section, f"[{name}]")
            errs += _resource_name(name, key)
            q = value_of(value)
            if q is not None and q < 0:
                errs.append(invalid(key, str(value), NONNEG))
            lim = value_of(limits.get(name)) if section == "requests" else None
            if q is not None and lim is not None and q > lim:
                detail = f"must be less than or equal to {name} limit of {limits[name]}"
                errs.append(invalid(key, str(value), detail))
    return errs


_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def validate_probe(probe: Dict, path: FieldPath, name: str) -> list[FieldError]:
    """``validateProbe`` plus the handler's port."""
    errs: list[FieldError] = []
    handlers = [h for h in _HANDLERS if h in probe]
    if not handlers:
        errs.append(required(path, "must specify a handler type"))
    for extra in handlers[1:]:
        errs.append(forbidden((*path, extra), "may not specify more than 1 handler type"))
    for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                "failureThreshold"):  # fmt: skip
        errs += _nonneg(probe.get(key), (*path, key))
    if name in ("livenessProbe", "startupProbe") and probe.get("successThreshold", 1) != 1:
        errs.append(invalid((*path, "successThreshold"), probe["successThreshold"], "must be 1"))
    for handler in ("httpGet", "tcpSocket", "grpc"):
        spec = probe.get(handler)
        if isinstance(spec, dict):
            if "port" not in spec:
                errs.append(required((*path, handler, "port")))
            else:
                errs += _port_value(spec["port"], (*path, handler, "port"))
    if isinstance(probe.get("exec"), dict) and not probe["exec"].get("command"):
        errs.append(required((*path, "exec", "command")))
    return errs


def _env(env: list[Dict], path: FieldPath) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, var in enumerate(env):
        name = var.get("name")
        if not name:
            errs.append(required((*path, i, "name")))
        elif not _ENV_NAME.match(name):
            errs.append(
                invalid(
                    (*path, i, "name"),
                    name,
                    "a valid environment variable name must consist only of printable ASCII "
                    "characters other than '='",
                )
            )
        if var.get("value") and var.get("valueFrom"):
            errs.append(
                invalid(
                    (*path, i, "valueFrom"),
                    "",
                    "may not be specified when `value` is not empty",
                )
            )
    return errs


def _mounts(mounts: list[Dict], volumes: set[str], path: FieldPath) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, mount in enumerate(mounts):
        name, mount_path = mount.get("name"), mount.get("mountPath")
        if not name:
            errs.append(required((*path, i, "name")))
        elif name not in volumes:
            errs.append(not_found((*path, i, "name"), name))
        if not mount_path:
            errs.append(required((*path, i, "mountPath")))
        elif mount_path in seen:
            errs.append(invalid((*path, i, "mountPath"), mount_path, "must be unique"))
        seen.add(mount_path or "")
    return errs


def validate_container(c: Dict, path: FieldPath, volumes: set[str]) -> list[FieldError]:
    """One container (name checked by the caller for uniqueness)."""
    errs: list[FieldError] = []
    if not c.get("image", "").strip():
        errs.append(required((*path, "image")))
    errs += _enum(
        c.get("imagePullPolicy"), (*path, "imagePullPolicy"), ("Always", "IfNotPresent", "Never")
    )
    errs += _enum(
        c.get("terminationMessagePolicy"),
        (*path, "terminationMessagePolicy"),
        ("File", "FallbackToLogsOnError"),
    )
    errs += validate_ports(c.get("ports") or [], (*path, "ports"))
    errs += _env(c.get("env") or [], (*path, "env"))
    errs += _mounts(c.get("volumeMounts") or [], volumes, (*path, "volumeMounts"))
    errs += validate_resources(c.get("resources") or {}, (*path, "resources"))
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if c.get(probe) is not None:
            errs += validate_probe(c[probe], (*path, probe), probe)
    return errs


def _containers(spec: Dict, path: FieldPath, volumes: set[str]) -> list[FieldError]:
    errs: list[FieldError] = []
    names: set[str] = set()
    if not spec.get("containers"):
        errs.append(required((*path, "containers")))
    for key in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(key) or []):
            p = (*path, key, i)
            name = c.get("name")
            if not name:
                errs.append(required((*p, "name")))
            else:
                errs += [invalid((*p, "name"), name, m) for m in is_dns1123_label(name)]
                if name in names:
                    errs.append(duplicate((*p, "name"), name))
                names.add(name)
            errs += validate_container(c, p, volumes)
    return errs


def validate_volumes(volumes: list[Dict], path: FieldPath) -> list[FieldError]:
    """Names, one source per volume, PVC claim names."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, vol in enumerate(volumes):
        p = (*path, i)
        name = vol.get("name")
        if not name:
            errs.append(required((*p, "name")))
        else:
            errs += [invalid((*p, "name"), name, m) for m in is_dns1123_label(name)]
            if name in names:
                errs.append(duplicate((*p, "name"), name))
            names.add(name)
        sources = [k for k in VOLUME_SOURCES if k in vol]
        if not sources:
            errs.append(required(p, "must specify a volume type"))
        for extra in sources[1:]:
            errs.append(forbidden((*p, extra), "may not specify more than 1 volume type"))
        claim = vol.get("persistentVolumeClaim")
        if isinstance(claim, dict) and not claim.get("claimName"):
            errs.append(required((*p, "persistentVolumeClaim", "claimName")))
        host = vol.get("hostPath")
        if isinstance(host, dict) and not host.get("path"):
            errs.append(required((*p, "hostPath", "path")))
    return errs


def _tolerations(tolerations: list[Dict], path: FieldPath) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, t in enumerate(tolerations):
        p = (*path, i)
        op = t.get("operator") or "Equal"
        if op not in ("Equal", "Exists"):
            errs.append(not_supported((*p, "operator"), op, ("Equal", "Exists")))
        if op == "Exists" and t.get("value"):
            errs.append(
                invalid(
                    (*p, "operator"),
                    t.get("value"),
                    "value must be empty when `operator` is 'Exists'",
                )
            )
        effect = t.get("effect")
        if effect and effect not in ("NoExecute", "NoSchedule", "PreferNoSchedule"):
            errs.append(
                not_supported(
                    (*p, "effect"), effect, ("NoExecute", "NoSchedule", "PreferNoSchedule")
                )
            )
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(
                invalid(
                    (*p, "effect"),
                    effect or "",
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                )
            )
    return errs


def validate_pod_spec(spec: Dict, path: FieldPath) -> list[FieldError]:
    """``ValidatePodSpec`` for the fields the playground models."""
    volumes = spec.get("volumes") or []
    errs = validate_volumes(volumes, (*path, "volumes"))
    errs += _containers(spec, path, {str(v.get("name")) for v in volumes})
    errs += _enum(
        spec.get("restartPolicy"), (*path, "restartPolicy"), ("Always", "OnFailure", "Never")
    )
    errs += _enum(
        spec.get("dnsPolicy"),
        (*path, "dnsPolicy"),
        ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"),
    )
    if spec.get("dnsPolicy") == "None" and not spec.get("dnsConfig"):
        errs.append(
            required((*path, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None")
        )
    errs += _nonneg(
        spec.get("terminationGracePeriodSeconds"), (*path, "terminationGracePeriodSeconds")
    )
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and deadline <= 0:
        errs.append(
            invalid(
                (*path, "activeDeadlineSeconds"),
                deadline,
                "must be between 1 and 2147483647, inclusive",
            )
        )
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs += [invalid((*path, key), spec[key], m) for m in is_dns1123_label(spec[key])]
    errs += validate_labels(spec.get("nodeSelector"), (*path, "nodeSelector"))
    errs += _tolerations(spec.get("tolerations") or [], (*path, "tolerations"))
    return errs
