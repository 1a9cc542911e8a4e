"""``kubectl cordon``, ``uncordon`` and ``drain`` (pkg/cmd/drain, k8s.io/kubectl/pkg/drain).

Drain cordons the node, refuses (without ``--force`` / ``--ignore-daemonsets`` /
``--delete-emptydir-data``) when a pod would be lost for good, evicts the rest — graceful
deletions, as the Eviction API does — and waits for each pod to be gone (a StatefulSet pod
counts as gone once its replacement has a new UID).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.kubectl.env import Command, Env
from engine.kubectl.parse import Flag, KubectlError, Parsed, help_error
from engine.kubectl.waiting import can_wait, is_gone, run_until, timeout_seconds
from engine.objects import Obj, controller_ref, copy_obj

CORDON_FLAGS = (Flag("selector", "str", "l", ""), Flag("dry-run", "str", default="none"))
DRAIN_FLAGS = (
    Flag("force", "bool"),
    Flag("ignore-daemonsets", "bool"),
    Flag("delete-emptydir-data", "bool"),
    Flag("grace-period", "int", default=-1),
    Flag("timeout", "str", default="0s"),
    Flag("selector", "str", "l", ""),
    Flag("pod-selector", "str", default=""),
    Flag("disable-eviction", "bool"),
)


def _node(env: Env, p: Parsed, command: str) -> Obj:
    if len(p.args) != 1:
        raise help_error(command, f"USAGE: {command} NODE [flags]")
    return env.must_get("Node", p.args[0], "")


def set_unschedulable(env: Env, node: Obj, value: bool) -> bool:
    """Set spec.unschedulable; False when it already had that value."""
    if bool((node.get("spec") or {}).get("unschedulable")) == value:
        return False
    new = copy_obj(node)
    spec = new.setdefault("spec", {})
    if value:
        spec["unschedulable"] = True
    else:
        spec.pop("unschedulable", None)
    env.cluster.store.update(new)
    return True


def run_cordon(env: Env, p: Parsed) -> None:
    """``kubectl cordon NODE``."""
    node = _node(env, p, "cordon")
    changed = set_unschedulable(env, node, True)
    env.out(f"node/{node['metadata']['name']} {'cordoned' if changed else 'already cordoned'}\n")


def run_uncordon(env: Env, p: Parsed) -> None:
    """``kubectl uncordon NODE``."""
    node = _node(env, p, "uncordon")
    changed = set_unschedulable(env, node, False)
    name = node["metadata"]["name"]
    env.out(f"node/{name} {'uncordoned' if changed else 'already uncordoned'}\n")


def _classify(
    pods: list[Obj], p: Parsed
) -> tuple[list[Obj], list[str], list[str], dict[str, list[str]]]:
    """(pods to evict, ignored daemonset pods, unmanaged pods deleted anyway, errors by kind)."""
    evict: list[Obj] = []
    ignored: list[str] = []
    forced: list[str] = []
    problems: dict[str, list[str]] = {}
    for pod in pods:
        ident = f"{pod['metadata'].get('namespace')}/{pod['metadata']['name']}"
        ref = controller_ref(pod)
        if ref and ref.get("kind") == "DaemonSet":
            if p.flag("ignore-daemonsets"):
                ignored.append(ident)
            else:
                problems.setdefault(
                    "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)", []
                ).append(ident)
            continue
        if ref is None:
            if not p.flag("force"):
                problems.setdefault(
                    "cannot delete Pods that declare no controller (use --force to override)", []
                ).append(ident)
                continue
            forced.append(ident)
        volumes = (pod.get("spec") or {}).get("volumes") or []
        if any("emptyDir" in v for v in volumes) and not p.flag("delete-emptydir-data"):
            problems.setdefault(
                "cannot delete Pods with local storage (use --delete-emptydir-data to override)", []
            ).append(ident)
            continue
        evict.append(pod)
    return evict, ignored, forced, problems


def run_drain(env: Env, p: Parsed) -> None:
    """``kubectl drain NODE``."""
    node = _node(env, p, "drain")
    name = node["metadata"]["name"]
    changed = set_unschedulable(env, node, True)
    env.out(f"node/{name} {'cordoned' if changed else 'already cordoned'}\n")
    pods = sorted(
        (
            pod
            for pod in env.cluster.store.list("Pod")
            if (pod.get("spec") or {}).get("nodeName") == name
            and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
        ),
        key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]),
    )
    evict, ignored, forced, problems = _classify(pods, p)
    if problems:
        errors = [f"{k}: {', '.join(v)}" for k, v in problems.items()]
        text = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
        raise KubectlError(
            f'error: unable to drain node "{name}" due to error: {text}, continuing command...\n'
            f"There are pending nodes to be drained:\n {name}\nerror: {text}\n"
        )
    if ignored:
        env.err(f"Warning: ignoring DaemonSet-managed Pods: {', '.join(ignored)}\n")
    if forced:
        env.err(f"Warning: deleting Pods that declare no controller: {', '.join(forced)}\n")
    grace = int(p.flags["grace-period"])
    for pod in evict:
        md = pod["metadata"]
        env.out(f"evicting pod {md['namespace']}/{md['name']}\n")
        env.cluster.delete(
            "Pod", md["namespace"], md["name"], grace_period=None if grace < 0 else grace
        )
    timeout = timeout_seconds(p.text("timeout"), 3600.0)
    for pod in evict:
        if can_wait(env) and not run_until(env, _gone(env, pod), timeout):
            raise KubectlError(
                f'error: unable to drain node "{name}" due to error: global timeout reached: '
                f"{p.text('timeout')}, continuing command...\n"
                f"There are pending nodes to be drained:\n {name}\n"
            )
        env.out(f"pod/{pod['metadata']['name']} evicted\n")
    env.out(f"node/{name} drained\n")


def _gone(env: Env, pod: Obj) -> Callable[[], bool]:
    return lambda: is_gone(env, pod)


CORDON = Command("cordon", CORDON_FLAGS, run_cordon)
UNCORDON = Command("uncordon", CORDON_FLAGS, run_uncordon)
DRAIN = Command("drain", DRAIN_FLAGS, run_drain)
