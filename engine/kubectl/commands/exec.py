"""``kubectl exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS…]``.

Runs a program of :mod:`engine.kubectl.shell` "inside" the pod. A non-zero exit status adds
``command terminated with exit code N`` on stderr and becomes the command's status, as kubectl
does. Pods that are not running give the API server's errors.
"""

from __future__ import annotations

from engine.kubectl.env import Command, Env
from engine.kubectl.parse import Flag, KubectlError, Parsed, error
from engine.kubectl.resources import parse_targets
from engine.kubectl.shell import Container
from engine.objects import Obj

FLAGS = (
    Flag("container", "str", "c", ""),
    Flag("stdin", "bool", "i"),
    Flag("tty", "bool", "t"),
    Flag("quiet", "bool", "q"),
    Flag("filename", "strs", "f"),
)

_DEPRECATED = (
    "kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. "
    "Use kubectl exec [POD] -- [COMMAND] instead.\n"
)


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    if not p.args:
        raise error("pod, type/name or --filename must be specified")
    command = list(p.dash_args or [])
    if p.dash_args is None and len(p.args) > 1:
        env.err(_DEPRECATED)
        command = p.args[1:]
    if not command:
        raise error("you must specify at least one command for the container")
    pod = _pod(env, p.args[0])
    container = _container(env, p, pod)
    _check_running(pod, container)
    proc = Container(env.cluster, pod, container or None).exec(command)
    for stream, text in proc.chunks:
        env.result.chunks.append((stream, text))
    if proc.code:
        raise KubectlError(f"command terminated with exit code {proc.code}\n", proc.code)


def _pod(env: Env, arg: str) -> Obj:
    if "/" in arg:
        target = parse_targets([arg])[0]
        if target.kind != "Pod":
            raise error(f"cannot exec into a {target.kind}: name a pod (kubectl get pods)")
        return env.must_get("Pod", target.names[0])
    return env.must_get("Pod", arg)


def _container(env: Env, p: Parsed, pod: Obj) -> str:
    containers = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
    wanted = p.text("container")
    if wanted:
        if wanted not in containers:
            raise KubectlError(
                f"Error from server (BadRequest): container {wanted} is not valid for pod "
                f"{pod['metadata']['name']}\n"
            )
        return wanted
    if len(containers) > 1 and not p.flag("quiet"):
        env.err(f'Defaulted container "{containers[0]}" out of: {", ".join(containers)}\n')
    return containers[0] if containers else ""


def _check_running(pod: Obj, container: str) -> None:
    status = pod.get("status") or {}
    phase = status.get("phase", "")
    if phase in ("Succeeded", "Failed"):
        raise error(f"cannot exec into a container in a completed pod; current phase is {phase}")
    for cs in status.get("containerStatuses") or []:
        if cs.get("name") == container and (cs.get("state") or {}).get("running") is not None:
            return
    raise error(f'unable to upgrade connection: container not found ("{container}")')


COMMAND = Command("exec", FLAGS, run)
