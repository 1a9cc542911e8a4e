"""Kubernetes objects as plain JSON-like dicts, and the vocabulary to handle them.

Objects are stored exactly as the Kubernetes API serialises them (camelCase field names,
``apiVersion``/``kind``/``metadata``/``spec``/``status``), which makes YAML in and out, field
paths in errors, strategic-merge patches and save files direct. The store hands out its own
copies as **read-only** values: code that wants to change an object calls :func:`copy_obj`,
edits the copy and writes it back with ``Store.update``.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

Obj = dict[str, Any]
T = TypeVar("T")

#: kind -> (apiVersion, plural resource name, namespaced)
KINDS: dict[str, tuple[str, str, bool]] = {
    "Namespace": ("v1", "namespaces", False),
    "Node": ("v1", "nodes", False),
    "Pod": ("v1", "pods", True),
    "Service": ("v1", "services", True),
    "Endpoints": ("v1", "endpoints", True),
    "PersistentVolumeClaim": ("v1", "persistentvolumeclaims", True),
    "PersistentVolume": ("v1", "persistentvolumes", False),
    "Event": ("v1", "events", True),
    "StatefulSet": ("apps/v1", "statefulsets", True),
    "Deployment": ("apps/v1", "deployments", True),
    "ReplicaSet": ("apps/v1", "replicasets", True),
    "ControllerRevision": ("apps/v1", "controllerrevisions", True),
    "EndpointSlice": ("discovery.k8s.io/v1", "endpointslices", True),
    "StorageClass": ("storage.k8s.io/v1", "storageclasses", False),
}


def is_namespaced(kind: str) -> bool:
    """Whether objects of ``kind`` live in a namespace."""
    return KINDS[kind][2]


def api_group(kind: str) -> str:
    """The API group of ``kind`` ("" for the core group), as kubectl prints it."""
    api_version = KINDS[kind][0]
    return api_version.split("/")[0] if "/" in api_version else ""


def resource_ref(kind: str, name: str) -> str:
    """kubectl's ``<resource>.<group>/<name>`` form: ``statefulset.apps/web``, ``pod/web-0``."""
    group = api_group(kind)
    singular = kind.lower()
    return f"{singular}.{group}/{name}" if group else f"{singular}/{name}"


#: Immutable leaf types of JSON-like values: copies share them.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def copy_obj(value: T) -> T:
    """Deep copy of a JSON-like value (dicts, lists, scalars); much faster than deepcopy."""
    return cast(T, _copy(value))


def _copy(value: Any) -> Any:
    # C-level shallow copy, then replace only the nested containers: most values are leaves
    kind = type(value)
    if kind is dict:
        new = value.copy()
        for k, v in value.items():
            if type(v) not in _LEAVES:
                new[k] = _copy(v)
        return new
    if kind is list:
        new_list = value.copy()
        for i, v in enumerate(value):
            if type(v) not in _LEAVES:
                new_list[i] = _copy(v)
        return new_list
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def thaw(obj: Obj, *paths: str) -> Obj:
    """A copy of ``obj`` to edit along ``paths`` (dotted dict keys: ``"status"``,
    ``"metadata.annotations"``): every dict on those paths is a fresh shallow copy, the rest
    is shared with ``obj`` and stays read-only. Edit nothing off the paths in place (replace
    it instead); the store then copies only what changed (:mod:`engine.store`)."""
    new = dict(obj)
    fresh = {id(new)}
    for path in paths:
        parent = new
        for part in path.split("."):
            child = parent.get(part)
            if not isinstance(child, dict):
                break
            if id(child) not in fresh:
                child = dict(child)
                fresh.add(id(child))
                parent[part] = child
            parent = child
    return new


#: lists longer than this share any element of the old list, shorter ones position by position
_BY_POSITION = 8


def copy_sharing(value: T, old: Any) -> T:
    """Deep copy of ``value`` that reuses every sub-value that *is* (same object) the
    matching sub-value of ``old``, a read-only stored version: the copy of an edited object
    shares what the edit left untouched. Elements of long lists (an EndpointSlice's
    endpoints) are shared wherever they sit in the old list. ``value`` itself is always
    copied at the top."""
    return cast(T, _copy_sharing(value, old, top=True))


def _copy_sharing(value: Any, old: Any, top: bool = False) -> Any:
    if value is old and not top:
        return old
    kind = type(value)
    if kind is dict and type(old) is dict:
        new = value.copy()
        for k, v in value.items():
            if type(v) not in _LEAVES:
                prior = old.get(k)
                if v is not prior:  # (the stored version's own part is shared as it is)
                    new[k] = _copy_sharing(v, prior)
        return new
    if kind is list and type(old) is list and old:
        new_list = value.copy()
        size = len(old)
        if size > _BY_POSITION:  # long lists: an old element anywhere (items came and went)
            olds = {id(item) for item in old}
            for i, v in enumerate(value):
                if type(v) not in _LEAVES and id(v) not in olds:
                    new_list[i] = _copy(v)
            return new_list
        for i, v in enumerate(value):
            if type(v) not in _LEAVES:
                prior = old[i] if i < size else None
                if v is not prior:
                    new_list[i] = _copy_sharing(v, prior)
        return new_list
    return _copy(value)


def meta(obj: Obj) -> dict[str, Any]:
    """The object's metadata dict."""
    m: dict[str, Any] = obj["metadata"]
    return m


def name_of(obj: Obj) -> str:
    """metadata.name."""
    return str(obj["metadata"]["name"])


def namespace_of(obj: Obj) -> str:
    """metadata.namespace ("" for cluster-scoped objects)."""
    return str(obj["metadata"].get("namespace", ""))


def uid_of(obj: Obj) -> str:
    """metadata.uid."""
    return str(obj["metadata"].get("uid", ""))


def labels_of(obj: Obj) -> dict[str, str]:
    """metadata.labels (empty dict when absent)."""
    labels: dict[str, str] = obj["metadata"].get("labels") or {}
    return labels


def annotations_of(obj: Obj) -> dict[str, str]:
    """metadata.annotations (empty dict when absent)."""
    annotations: dict[str, str] = obj["metadata"].get("annotations") or {}
    return annotations


def key_of(obj: Obj) -> tuple[str, str, str]:
    """(kind, namespace, name): the store key."""
    return (str(obj["kind"]), namespace_of(obj), name_of(obj))


def is_terminating(obj: Obj) -> bool:
    """deletionTimestamp is set."""
    return obj["metadata"].get("deletionTimestamp") is not None


def controller_ref(obj: Obj) -> dict[str, Any] | None:
    """The ownerReference with ``controller: true``, if any."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            r: dict[str, Any] = ref
            return r
    return None


def owner_reference(owner: Obj, controller: bool = True) -> dict[str, Any]:
    """An ownerReference pointing at ``owner`` (blockOwnerDeletion as controllers set it)."""
    ref: dict[str, Any] = {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": name_of(owner),
        "uid": uid_of(owner),
    }
    if controller:
        ref["controller"] = True
        ref["blockOwnerDeletion"] = True
    return ref


def with_controller_ref(obj: Obj, ref: dict[str, Any] | None) -> Obj:
    """A copy of ``obj`` whose controller ownerReference is ``ref`` (adopt) or gone (release,
    with None); other ownerReferences are kept."""
    new = copy_obj(obj)
    refs = [r for r in new["metadata"].get("ownerReferences") or [] if not r.get("controller")]
    if ref is not None:
        refs.append(ref)
    if refs:
        new["metadata"]["ownerReferences"] = refs
    else:
        new["metadata"].pop("ownerReferences", None)
    return new


def get_path(obj: Any, path: str, default: Any = None) -> Any:
    """Read a dotted field path (``spec.replicas``, ``spec.containers.0.image``)."""
    cur = obj
    for part in path.split("."):
        if isinstance(cur, dict):
            if part not in cur:
                return default
            cur = cur[part]
        elif isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                return default
        else:
            return default
    return cur


def new_object(kind: str, name: str, namespace: str = "", **fields: Any) -> Obj:
    """A fresh object skeleton of ``kind`` with the right apiVersion and metadata."""
    md: dict[str, Any] = {"name": name}
    if is_namespaced(kind):
        md["namespace"] = namespace or "default"
    obj: Obj = {"apiVersion": KINDS[kind][0], "kind": kind, "metadata": md}
    obj.update(fields)
    return obj


def pod_condition(pod: Obj, ctype: str) -> dict[str, Any] | None:
    """The pod status condition of type ``ctype`` (``Ready``, ``PodScheduled`` …)."""
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == ctype:
            c: dict[str, Any] = cond
            return c
    return None


def is_pod_ready(pod: Obj) -> bool:
    """The Ready condition is True."""
    cond = pod_condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def pod_phase(pod: Obj) -> str:
    """status.phase ("" when the pod has no status yet)."""
    return str((pod.get("status") or {}).get("phase", ""))


def pod_ip(pod: Obj) -> str:
    """status.podIP ("" when none)."""
    return str((pod.get("status") or {}).get("podIP", "") or "")
