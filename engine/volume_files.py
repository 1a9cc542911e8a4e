"""Simulated files inside pods: what ``kubectl exec`` needs for ``cat``, ``ls``, ``echo > f``.

A path seen from a container resolves like a real mount table, longest mount path first:

* a ``volumeMounts`` entry whose pod volume is a ``persistentVolumeClaim`` → the claim's bound
  PersistentVolume → ``cluster.volume_data[<pv name>]``. Data belongs to the volume, so the
  recreated ``web-0`` reads what the old ``web-0`` wrote, through its claim;
* an ``emptyDir`` volume → ``cluster.empty_dir_data["<pod uid>/<volume>"]`` (lives as long as
  the pod object);
* other volume types (configMap, secret, projected…) → an empty, read-only directory;
* ``/etc/hosts``, ``/etc/hostname``, ``/etc/resolv.conf`` → the files the kubelet writes;
* anything else → the container's writable layer
  (``cluster.container_data["<pod uid>/<container>/<restartCount>"]``) over the image's
  read-only layer (:mod:`engine.image_fs`). A new restartCount starts a fresh layer, so data
  outside volumes is lost on a container restart and with the pod.

A mount hides what the image had at that path: nginx's ``/usr/share/nginx/html`` holds the stock
``index.html`` — unless a volume is mounted there, then it starts empty.

Stores are ``{relative path: text}``; a key ending in ``/`` is an (empty) directory. Errors are
:class:`FsError` with busybox's wording for the tool named in each function.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.image_fs import image_files
from engine.objects import Obj, uid_of

if TYPE_CHECKING:
    from engine.cluster import Cluster

_NOENT = "No such file or directory"


class FsError(Exception):
    """A file operation failed; the message is what busybox would print."""


class ContainerNotFound(FsError):
    """``-c NAME`` names no container of the pod (the API server's BadRequest message)."""


@dataclass
class _Place:
    """Where a path lives: a store and the key inside it (``rel`` ""= the store's root)."""

    store: dict[str, str] | None  # None: the volume is not available (unbound claim)
    rel: str
    readonly: bool
    image: dict[str, str] | None = None  # the image layer under a container-layer path


def _norm(path: str) -> str:
    return posixpath.normpath(posixpath.join("/", path)).lstrip("/")


def _container(pod: Obj, name: str | None) -> dict[str, Any]:
    containers = (pod.get("spec") or {}).get("containers") or []
    if name is None and containers:
        c: dict[str, Any] = containers[0]
        return c
    for c in containers:
        if c.get("name") == name:
            return c
    raise ContainerNotFound(f"container {name} is not valid for pod {pod['metadata']['name']}")


def _restarts(pod: Obj, container: str) -> int:
    for st in (pod.get("status") or {}).get("containerStatuses") or []:
        if st.get("name") == container:
            return int(st.get("restartCount", 0))
    return 0


class _PodFs:
    """One container's view of the filesystem."""

    def __init__(self, cluster: Cluster, namespace: str, pod: str, container: str | None):
        self.cluster = cluster
        self.pod = cluster.store.must_get("Pod", namespace, pod)
        self.container = _container(self.pod, container)
        self.mounts = sorted(
            ((_norm(m.get("mountPath", "/")), m) for m in self.container.get("volumeMounts") or []),
            key=lambda item: -len(item[0]),
        )
        self.volumes = {v.get("name"): v for v in (self.pod.get("spec") or {}).get("volumes") or []}

    # -- resolution ---------------------------------------------------------------------
    def place(self, rel: str) -> _Place:
        for mount_path, mount in self.mounts:
            if rel == mount_path or mount_path == "" or rel.startswith(mount_path + "/"):
                inner = rel[len(mount_path) :].strip("/")
                sub = _norm(mount.get("subPath") or "")
                inner = f"{sub}/{inner}".strip("/") if sub else inner
                store, readonly = self._volume_store(str(mount.get("name", "")))
                return _Place(store, inner, readonly or bool(mount.get("readOnly")))
        return _Place(self._layer(), rel, False, image_files(str(self.container.get("image", ""))))

    def _volume_store(self, volume: str) -> tuple[dict[str, str] | None, bool]:
        vol = self.volumes.get(volume) or {}
        claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
        if claim:
            pvc = self.cluster.store.get("PersistentVolumeClaim", self._ns, claim)
            pv_name = ((pvc or {}).get("spec") or {}).get("volumeName")
            if not pv_name or self.cluster.store.get("PersistentVolume", "", pv_name) is None:
                return None, False
            readonly = bool(vol["persistentVolumeClaim"].get("readOnly"))
            return self.cluster.volume_data.setdefault(pv_name, {}), readonly
        if "emptyDir" in vol:
            return self.cluster.empty_dir_data.setdefault(f"{uid_of(self.pod)}/{volume}", {}), False
        return {}, True

    @property
    def _ns(self) -> str:
        return str(self.pod["metadata"].get("namespace", "default"))

    def _layer(self) -> dict[str, str]:
        name = str(self.container.get("name", ""))
        prefix = f"{uid_of(self.pod)}/{name}/"
        key = prefix + str(_restarts(self.pod, name))
        for stale in [k for k in self.cluster.container_data if k.startswith(prefix) and k != key]:
            del self.cluster.container_data[stale]
        return self.cluster.container_data.setdefault(key, {})

    def _managed(self, rel: str) -> str | None:
        """Content of a kubelet-managed file, or None."""
        if rel == "etc/hostname":
            return self._hostname() + "\n"
        if rel == "etc/hosts":
            return self._hosts()
        if rel == "etc/resolv.conf":
            return self._resolv_conf()
        return None

    def _resolv_conf(self) -> str:
        """The kubelet's file for a ClusterFirst pod: search path, cluster DNS, ndots:5."""
        domain = self.cluster.config.cluster_domain
        return (
            f"search {self._ns}.svc.{domain} svc.{domain} {domain}\n"
            f"nameserver {self.cluster.config.dns_ip}\noptions ndots:5\n"
        )

    def _hostname(self) -> str:
        return str((self.pod.get("spec") or {}).get("hostname") or self.pod["metadata"]["name"])

    def _hosts(self) -> str:
        lines = [
            "# Kubernetes-managed hosts file.",
            "127.0.0.1\tlocalhost",
            "::1\tlocalhost ip6-localhost ip6-loopback",
            "fe00::0\tip6-localnet",
            "fe00::0\tip6-mcastprefix",
            "fe00::1\tip6-allnodes",
            "fe00::2\tip6-allrouters",
        ]
        ip = (self.pod.get("status") or {}).get("podIP")
        if ip:
            spec = self.pod.get("spec") or {}
            host = self._hostname()
            if spec.get("subdomain"):
                domain = self.cluster.config.cluster_domain
                fqdn = f"{host}.{spec['subdomain']}.{self._ns}.svc.{domain}"
                lines.append(f"{ip}\t{fqdn}\t{host}")
            else:
                lines.append(f"{ip}\t{host}")
        return "\n".join(lines) + "\n"

    # -- queries ------------------------------------------------------------------------
    def lookup(self, rel: str) -> tuple[str, str | None]:
        """("dir", None) | ("file", text) | ("none", None) | ("io", None: volume unavailable)."""
        if rel == "" or any(mp == rel or mp.startswith(rel + "/") for mp, _ in self.mounts):
            return "dir", None
        place = self.place(rel)
        if place.store is None:
            return "io", None
        if place.rel in place.store:
            return "file", place.store[place.rel]
        if place.rel == "" or _has_dir(place.store, place.rel):
            return "dir", None
        if place.image is None:
            return "none", None
        managed = self._managed(rel)
        if managed is not None:
            return "file", managed
        if place.rel in place.image:
            return "file", place.image[place.rel]
        return ("dir", None) if _has_dir(place.image, place.rel) else ("none", None)

    def missing_reason(self, kind: str, rel: str) -> str:
        """strerror for a failed lookup: I/O error, Not a directory (a file on the way) or
        No such file or directory."""
        if kind == "io":
            return "I/O error"
        parent = posixpath.dirname(rel)
        while parent:
            if self.lookup(parent)[0] == "file":
                return "Not a directory"
            parent = posixpath.dirname(parent)
        return _NOENT

    def children(self, rel: str) -> list[str]:
        place = self.place(rel)
        names: set[str] = set()
        layers = [place.store or {}]
        if place.image is not None:
            layers.append(place.image)
        prefix = place.rel + "/" if place.rel else ""
        for layer in layers:
            for key in layer:
                if key.startswith(prefix) and key != prefix:
                    names.add(key[len(prefix) :].split("/", 1)[0])
        mount_prefix = rel + "/" if rel else ""
        for mp, _ in self.mounts:
            if mp.startswith(mount_prefix) and mp != rel and mp:
                names.add(mp[len(mount_prefix) :].split("/", 1)[0])
        if rel == "etc":
            names.update({"hostname", "hosts", "resolv.conf"})
        return sorted(names)


def _has_dir(layer: dict[str, str], rel: str) -> bool:
    prefix = rel + "/"
    return prefix in layer or any(k.startswith(prefix) for k in layer)


def _fs(cluster: Cluster, namespace: str, pod: str, container: str | None) -> _PodFs:
    return _PodFs(cluster, namespace, pod, container)


def read_file(
    cluster: Cluster, namespace: str, pod: str, path: str, container: str | None = None
) -> str:
    """Contents of ``path`` as seen from ``pod``'s container (the first unless ``container``).

    Raises:
        FsError: ``cat: can't open '/x': No such file or directory`` and friends.
        engine.store.NotFound: no such pod.
    """
    fs = _fs(cluster, namespace, pod, container)
    kind, text = fs.lookup(_norm(path))
    if kind == "file" and text is not None:
        return text
    if kind == "dir":
        raise FsError("cat: read error: Is a directory")
    reason = fs.missing_reason(kind, _norm(path))
    raise FsError(f"cat: can't open '{path}': {reason}")


def write_file(
    cluster: Cluster,
    namespace: str,
    pod: str,
    path: str,
    text: str,
    append: bool = False,
    container: str | None = None,
) -> None:
    """Write (or append) ``text`` to ``path`` inside ``pod`` (``sh -c 'echo … > path'``).

    Raises:
        FsError: ``sh: can't create /x/y: nonexistent directory``, ``…: Is a directory``,
            ``…: Read-only file system``.
    """
    fs = _fs(cluster, namespace, pod, container)
    rel = _norm(path)
    fail: Callable[[str], FsError] = lambda why: FsError(f"sh: can't create {path}: {why}")  # noqa: E731
    parent_kind, _ = fs.lookup(posixpath.dirname(rel))
    if parent_kind != "dir":
        raise fail("nonexistent directory")
    kind, current = fs.lookup(rel)
    if kind == "dir":
        raise fail("Is a directory")
    place = fs.place(rel)
    if place.store is None:
        raise fail("I/O error")
    if place.readonly:
        raise fail("Read-only file system")
    base = current if (append and kind == "file" and current is not None) else ""
    place.store[place.rel] = base + text


def make_dir(
    cluster: Cluster, namespace: str, pod: str, path: str, container: str | None = None
) -> None:
    """``mkdir path`` inside ``pod``.

    Raises:
        FsError: ``mkdir: can't create directory '/x': File exists`` / ``No such file or
            directory`` / ``Read-only file system``.
    """
    fs = _fs(cluster, namespace, pod, container)
    rel = _norm(path)
    fail: Callable[[str], FsError] = lambda why: FsError(  # noqa: E731
        f"mkdir: can't create directory '{path}': {why}"
    )
    if fs.lookup(rel)[0] in ("dir", "file"):
        raise fail("File exists")
    if fs.lookup(posixpath.dirname(rel))[0] != "dir":
        raise fail(_NOENT)
    place = fs.place(rel)
    if place.store is None:
        raise fail("I/O error")
    if place.readonly:
        raise fail("Read-only file system")
    place.store[place.rel + "/"] = ""


def list_dir(
    cluster: Cluster,
    namespace: str,
    pod: str,
    path: str,
    container: str | None = None,
    show_hidden: bool = False,
) -> list[str]:
    """What ``ls path`` prints, one entry per item: the sorted entry names of a directory
    (dot-files only with ``show_hidden``, as ``ls -a`` minus ``.``/``..``), or ``[path]`` when
    ``path`` is a file (busybox echoes a file operand).

    Raises:
        FsError: ``ls: /x: No such file or directory``.
    """
    fs = _fs(cluster, namespace, pod, container)
    rel = _norm(path)
    kind, _ = fs.lookup(rel)
    if kind == "file":
        return [path]
    if kind != "dir":
        raise FsError(f"ls: {path}: {fs.missing_reason(kind, rel)}")
    names = fs.children(rel)
    return names if show_hidden else [n for n in names if not n.startswith(".")]


def forget_pod(cluster: Cluster, pod_uid: str) -> None:
    """Drop a deleted pod's writable layers and emptyDir volumes."""
    prefix = pod_uid + "/"
    for data in (cluster.container_data, cluster.empty_dir_data):
        for key in [k for k in data if k.startswith(prefix)]:
            del data[key]
