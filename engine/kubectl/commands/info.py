"""``kubectl api-resources``, ``version``, ``cluster-info``, ``top`` and ``logs``: what a
learner asks a fresh kubeadm cluster about itself."""

from __future__ import annotations

from typing import Any

from engine.kubectl import help
from engine.kubectl.env import Command, Env
from engine.kubectl.parse import Flag, KubectlError, Parsed, error
from engine.kubectl.resources import short_names
from engine.kubectl.tabwriter import table
from engine.objects import KINDS, api_group

FLAGS = (Flag("namespaced", "str", default=""), Flag("output", "str", "o", ""))


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    rows = [["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]]
    kinds = sorted(KINDS, key=lambda k: (api_group(k) != "", api_group(k), KINDS[k][1]))
    wanted = p.text("namespaced").lower()
    for kind in kinds:
        api_version, plural, namespaced = KINDS[kind]
        if wanted in ("true", "false") and str(namespaced).lower() != wanted:
            continue
        if p.text("output") == "name":
            group = api_group(kind)
            rows.append([f"{plural}.{group}" if group else plural])
            continue
        rows.append(
            [plural, ",".join(short_names(kind)), api_version, str(namespaced).lower(), kind]
        )
    if p.text("output") == "name":
        env.out("".join(r[0] + "\n" for r in rows[1:]))
        return
    env.out(table(rows))


COMMAND = Command("api-resources", FLAGS, run)


# -- version / cluster-info / top ----------------------------------------------------------
VERSION = "v1.35.0"
VERSION_FLAGS = (Flag("client", "bool"), Flag("output", "str", "o", ""))


def run_version(env: Env, p: Parsed) -> None:
    """``kubectl version``."""
    lines = [f"Client Version: {VERSION}", "Kustomize Version: v5.7.1"]
    if not p.flag("client"):
        lines.append(f"Server Version: {VERSION}")
    env.out("".join(line + "\n" for line in lines))


def run_cluster_info(env: Env, p: Parsed) -> None:
    """``kubectl cluster-info``."""
    if p.args:
        raise KubectlError(help.unsupported(f"cluster-info {p.args[0]}"))
    api = "https://127.0.0.1:6443"
    env.out(
        f"Kubernetes control plane is running at {api}\n"
        f"CoreDNS is running at {api}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy"
        "\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"
    )


def run_top(env: Env, p: Parsed) -> None:
    """``kubectl top``: the playground has no metrics-server, like a fresh kubeadm cluster."""
    raise error("Metrics API not available")


# -- logs -----------------------------------------------------------------------------------
LOGS_FLAGS = (
    Flag("container", "str", "c", ""),
    Flag("previous", "bool", "p"),
    Flag("follow", "bool", "f"),
    Flag("tail", "int", default=-1),
    Flag("timestamps", "bool"),
    Flag("all-containers", "bool"),
)


def run_logs(env: Env, p: Parsed) -> None:
    """``kubectl logs POD``: simulated containers write no log lines (nginx-slim logs only
    requests), so a running container's log is empty; the errors are the API server's."""
    if not p.args:
        raise error(
            "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
            "POD or TYPE/NAME is a required argument for the logs command\n"
            "See 'kubectl logs -h' for help and examples"
        )
    if p.flag("follow"):
        raise error("--follow is not supported in the playground: the log would never end")
    name = (
        p.args[0].split("/", 1)[1] if p.args[0].startswith(("pod/", "pods/", "po/")) else p.args[0]
    )
    pod = env.must_get("Pod", name)
    containers = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
    wanted = p.text("container") or containers[0]
    if wanted not in containers:
        raise KubectlError(
            f"Error from server (BadRequest): container {wanted} is not valid for pod {name}\n"
        )
    if not p.text("container") and len(containers) > 1:
        env.err(f'Defaulted container "{wanted}" out of: {", ".join(containers)}\n')
    status: dict[str, Any] = next(
        (
            cs
            for cs in (pod.get("status") or {}).get("containerStatuses") or []
            if cs.get("name") == wanted
        ),
        {},
    )
    if p.flag("previous"):
        if not (status.get("lastState") or {}).get("terminated"):
            raise KubectlError(
                f'Error from server (BadRequest): previous terminated container "{wanted}" in '
                f'pod "{name}" not found\n'
            )
        return
    waiting = (status.get("state") or {}).get("waiting")
    if not status or waiting is not None:
        reason = (waiting or {}).get("reason") or "ContainerCreating"
        raise KubectlError(
            f'Error from server (BadRequest): container "{wanted}" in pod "{name}" is waiting '
            f"to start: {reason}\n"
        )


VERSION_COMMAND = Command("version", VERSION_FLAGS, run_version)
CLUSTER_INFO = Command("cluster-info", (), run_cluster_info)
TOP = Command("top", (), run_top)
LOGS = Command("logs", LOGS_FLAGS, run_logs)
