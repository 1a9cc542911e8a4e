"""``kubectl describe TYPE [NAME_PREFIX…]`` / ``TYPE/NAME`` / ``-l``.

As kubectl does, a name that matches no object exactly describes every object whose name starts
with it; several objects are separated by a blank line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.kubectl import describe as wl
from engine.kubectl import describe_infra as infra
from engine.kubectl.commands.get import ENDPOINTS_WARNING
from engine.kubectl.describe_node import describe_node
from engine.kubectl.env import Command, Env, selector_of
from engine.kubectl.parse import Flag, KubectlError, Parsed, error
from engine.kubectl.resources import Target, not_found_text, parse_targets
from engine.objects import Obj

if TYPE_CHECKING:
    from engine.cluster import Cluster

FLAGS = (
    Flag("selector", "str", "l", ""),
    Flag("all-namespaces", "bool", "A"),
    Flag("show-events", "bool", default=True),
    Flag("filename", "strs", "f"),
)

DESCRIBERS: dict[str, Callable[[Cluster, Obj], str]] = {
    "Pod": wl.describe_pod,
    "StatefulSet": wl.describe_statefulset,
    "Deployment": wl.describe_deployment,
    "ReplicaSet": wl.describe_replicaset,
    "Service": infra.describe_service,
    "Endpoints": infra.describe_endpoints,
    "EndpointSlice": infra.describe_endpointslice,
    "PersistentVolumeClaim": infra.describe_pvc,
    "PersistentVolume": infra.describe_pv,
    "Node": describe_node,
    "Namespace": infra.describe_namespace,
    "StorageClass": infra.describe_storageclass,
}


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    if not p.args:
        raise error(
            'You must specify the type of resource to describe. Use "kubectl api-resources" '
            "for a complete list of supported resources."
        )
    targets = parse_targets(p.args)
    if p.text("selector") and any(t.names for t in targets):
        raise error("name cannot be provided when a selector is specified")
    for t in targets:
        if t.kind not in DESCRIBERS:
            raise error(f"describing {t.kind} objects is not supported in the playground")
    if any(t.kind == "Endpoints" for t in targets):
        env.err(ENDPOINTS_WARNING)
    texts: list[str] = []
    errors: list[str] = []
    namespace = None if p.flag("all-namespaces") else env.namespace
    for target in targets:
        objs, missing = _resolve(env, target, p.text("selector"), namespace)
        errors.extend(missing)
        texts.extend(DESCRIBERS[target.kind](env.cluster, o) for o in objs)
    env.out("\n\n".join(texts))
    if not texts and not errors:
        where = "" if p.flag("all-namespaces") else f" in {env.namespace} namespace"
        env.err(f"No resources found{where}.\n")
    if errors:
        raise KubectlError("".join(errors))


def _resolve(
    env: Env, target: Target, selector: str, namespace: str | None
) -> tuple[list[Obj], list[str]]:
    if not target.names:
        return env.list(target.kind, namespace, selector_of(selector)), []
    objs: list[Obj] = []
    errors: list[str] = []
    everything = env.list(target.kind, env.namespace)
    for name in target.names:
        exact = [o for o in everything if o["metadata"]["name"] == name]
        prefixed = exact or [o for o in everything if o["metadata"]["name"].startswith(name)]
        if prefixed:
            objs.extend(prefixed)
        else:
            errors.append(not_found_text(target.kind, name))
    return objs, errors


COMMAND = Command("describe", FLAGS, run)
