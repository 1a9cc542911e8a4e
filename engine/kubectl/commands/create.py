"""``kubectl create -f FILE``, ``create namespace NAME`` and ``create deployment NAME
--image=IMAGE [--replicas=N] [--port=P]``.

Unlike ``apply``, ``create`` fails for objects that exist: ``Error from server
(AlreadyExists): error when creating "web.yaml": services "nginx" already exists`` (the other
objects of the file are still created, as kubectl does). The generated objects are the ones
``kubectl create … --dry-run=client -o yaml`` prints.
"""

from __future__ import annotations

from typing import Any

from engine import manifests
from engine.kubectl.env import Command, Env
from engine.kubectl.files import read_sources
from engine.kubectl.parse import Flag, KubectlError, Parsed, error, help_error
from engine.kubectl.resources import qualified_plural, qualified_singular
from engine.manifests import ManifestError
from engine.objects import Obj, is_namespaced
from engine.store import AlreadyExists

FLAGS = (
    Flag("filename", "strs", "f"),
    Flag("image", "strs"),
    Flag("replicas", "int", "r", 1),
    Flag("port", "int", default=-1),
)


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    if p.args and p.args[0] in ("namespace", "ns"):
        _namespace(env, p.args[1:])
    elif p.args and p.args[0] in ("deployment", "deploy"):
        _deployment(env, p, p.args[1:])
    elif p.args:
        raise help_error("create", f"Unexpected args: [{' '.join(p.args)}]")
    elif not p.flags["filename"]:
        raise error("must specify one of -f and -k")
    else:
        _from_files(env, p.flags["filename"])


def _from_files(env: Env, paths: list[str]) -> None:
    errors: list[str] = []
    for source, text in read_sources(paths, env.stdin):
        try:
            objs = manifests.load_objects(source, text)
        except ManifestError as exc:
            raise KubectlError(str(exc)) from exc
        for obj in objs:
            errors += _create(env, obj, source)
    if errors:
        raise KubectlError("".join(errors))


def _create(env: Env, obj: Obj, source: str = "") -> list[str]:
    kind = obj["kind"]
    if is_namespaced(kind):
        obj["metadata"].setdefault("namespace", env.namespace)
    name = obj["metadata"]["name"]
    try:
        env.cluster.store.create(obj)
    except AlreadyExists:
        where = f'error when creating "{source}": ' if source else ""
        return [
            f"Error from server (AlreadyExists): {where}{qualified_plural(kind)} "
            f'"{name}" already exists\n'
        ]
    env.cluster.drain()
    env.out(f"{qualified_singular(kind)}/{name} created\n")
    return []


def _namespace(env: Env, names: list[str]) -> None:
    if len(names) != 1:
        raise help_error("create namespace", f"exactly one NAME is required, got {len(names)}")
    errors = _create(env, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": names[0]}})
    if errors:
        raise KubectlError("".join(errors))


def _deployment(env: Env, p: Parsed, names: list[str]) -> None:
    if len(names) != 1:
        raise help_error("create deployment", f"exactly one NAME is required, got {len(names)}")
    images: list[str] = p.flags["image"]
    if not images:
        raise error('required flag(s) "image" not set')
    name = names[0]
    containers: list[dict[str, Any]] = []
    for image in images:
        base = image.rsplit("/", 1)[-1].split(":")[0].split("@")[0]
        containers.append({"image": image, "name": base, "resources": {}})
    if p.flags["port"] >= 0:
        containers[0]["ports"] = [{"containerPort": p.flags["port"]}]
    labels = {"app": name}
    obj: Obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": p.flags["replicas"],
            "selector": {"matchLabels": dict(labels)},
            "strategy": {},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": containers}},
        },
    }
    errors = _create(env, obj)
    if errors:
        raise KubectlError("".join(errors))


COMMAND = Command("create", FLAGS, run)
