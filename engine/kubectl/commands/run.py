"""``kubectl run NAME --image=IMAGE [--restart=Never] [--rm] [-i] [-t] [-- COMMAND…]``.

Without attaching, it creates the Pod (``pod/NAME created``) as kubectl does (labels
``run=NAME``, the command as the container's args, or as its command with ``--command``).

Attached with ``--rm`` (the Kubernetes tutorials' ``kubectl run -it --rm dns-test
--image=busybox:1.28 --restart=Never -- nslookup web-0.nginx``) it creates the pod, lets
simulated time pass until it runs, runs the command in it (the programs of
:mod:`engine.kubectl.shell`, DNS tools from the pod's namespace) and deletes the pod again:
``pod "dns-test" deleted from default namespace``. The simulated container does not exit by
itself, so attaching without ``--rm`` is refused rather than left half-true.
"""

from __future__ import annotations

from typing import Any

from engine.kubectl.env import Command, Env
from engine.kubectl.parse import Flag, KubectlError, Parsed, error
from engine.kubectl.shell import Container
from engine.kubectl.waiting import can_wait, is_gone, run_until
from engine.objects import Obj

FLAGS = (
    Flag("image", "str", default=""),
    Flag("restart", "str", default="Always"),
    Flag("rm", "bool"),
    Flag("stdin", "bool", "i"),
    Flag("tty", "bool", "t"),
    Flag("attach", "bool"),
    Flag("command", "bool"),
    Flag("labels", "str", "l", ""),
    Flag("env", "strs"),
    Flag("port", "str", default=""),
    Flag("quiet", "bool", "q"),
    Flag("pod-running-timeout", "str", default="1m0s"),
)

_PROMPT = "If you don't see a command prompt, try pressing enter.\n"


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    if not p.args:
        raise error("NAME is required for run")
    name, command = p.args[0], list(p.dash_args or p.args[1:])
    if not p.text("image"):
        raise error('required flag(s) "image" not set')
    restart = p.text("restart")
    if restart not in ("Always", "OnFailure", "Never"):
        raise error(f"invalid restart policy: {restart}")
    attach = p.flag("stdin") or p.flag("attach")
    if p.flag("rm") and not attach:
        raise error("--rm should only be used for attached containers")
    if attach and not p.flag("rm"):
        raise error(
            "an attached kubectl run needs --rm in the playground: the simulated container "
            "does not exit by itself"
        )
    if attach and not command:
        raise error(
            "interactive shells are not available in the playground: give the command after "
            "--, e.g. kubectl run -it --rm dns-test --image=busybox:1.28 --restart=Never -- "
            "nslookup nginx"
        )
    pod = _pod(env, p, name, command, restart)
    env.cluster.store.create(pod)
    env.cluster.drain()
    if not attach:
        env.out(f"pod/{name} created\n")
        return
    _attach(env, p, name, command)


def _pod(env: Env, p: Parsed, name: str, command: list[str], restart: str) -> Obj:
    labels = {"run": name}
    if p.text("labels"):
        labels = dict(pair.split("=", 1) for pair in p.text("labels").split(",") if "=" in pair)
    container: dict[str, Any] = {"name": name, "image": p.text("image")}
    if command:
        container["command" if p.flag("command") else "args"] = command
    envs = [e.split("=", 1) for e in p.flags["env"] if "=" in e]
    if envs:
        container["env"] = [{"name": k, "value": v} for k, v in envs]
    if p.text("port"):
        container["ports"] = [{"containerPort": int(p.text("port"))}]
    if p.flag("stdin"):
        container["stdin"] = True
        container["stdinOnce"] = True
        container["tty"] = p.flag("tty")
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": env.namespace, "labels": labels},
        "spec": {"containers": [container], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"},
    }


def _attach(env: Env, p: Parsed, name: str, command: list[str]) -> None:
    if not can_wait(env):
        raise error("an attached kubectl run only works in scripts: the live clock cannot block")
    store = env.cluster.store

    def running() -> bool:
        pod = store.get("Pod", env.namespace, name)
        return pod is not None and (pod.get("status") or {}).get("phase") == "Running"

    if not run_until(env, running, 60.0):
        raise error(f"timed out waiting for the condition on pods/{name}")
    if p.flag("tty") and not p.flag("quiet"):
        env.err(_PROMPT)
    pod = store.must_get("Pod", env.namespace, name)
    proc = Container(env.cluster, pod).exec(command)
    env.result.chunks.extend(proc.chunks)
    env.cluster.delete("Pod", env.namespace, name)
    env.out(f'pod "{name}" deleted from {env.namespace} namespace\n')
    run_until(env, lambda: is_gone(env, pod), 3600.0)
    if proc.code:
        raise KubectlError(f"pod {env.namespace}/{name} terminated (Error)\n", 1)


COMMAND = Command("run", FLAGS, run)
