"""Manifests: ``kubectl apply -f`` for the playground, plus the entry points of the other
manifest commands (:func:`create_manifests` for ``create -f``, :func:`delete_manifests` for
``delete -f``), :func:`load_objects` for demos and exercises, and ``to_yaml`` for ``-o yaml``.

:func:`apply` is all-or-nothing per invocation. It first *plans* every object of every document
— resource mapping, strict decoding, defaulting, validation, the namespace exists, no object
twice, immutable fields against the stored object (the admission chain of
:mod:`engine.admission` run on a copy) — and writes only when nothing is wrong, so an error in
document 5 leaves documents 1–4 unapplied and the store untouched. If a write still fails (an
admission hook from another part of the engine), the writes already made are rolled back.

Each object is reported as kubectl does: ``service/nginx created``, ``statefulset.apps/web
configured``, ``… unchanged`` (nothing written; the three-way merge of
:mod:`engine.apply_merge` decides), with ``(server dry run)`` when asked. Errors carry their
place:
``web.yaml: document 2 (StatefulSet "web"), line 14: spec.replicas: Invalid value: "three":
must be an integer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from engine import admission
from engine.apply_merge import (
    LAST_APPLIED,
    previous_config,
    three_way_merge,
    with_last_applied,
)
from engine.manifest_check import (
    Entry,
    ManifestError,
    ManifestIssue,
    decode,
    entries,
    load_documents,
    mapping_issues,
)
from engine.manifest_create import create_manifests
from engine.manifest_delete import delete_manifests
from engine.objects import KINDS, Obj, copy_obj, is_namespaced, resource_ref
from engine.schema.defaults import apply_defaults
from engine.schema.errors import FieldError
from engine.schema.immutable import STS_MUTABLE
from engine.schema.validate import validate
from engine.store import Store, StoreError
from engine.yaml_out import list_to_yaml, to_yaml

if TYPE_CHECKING:
    from engine.cluster import Cluster

__all__ = [
    "ManifestError",
    "ManifestIssue",
    "apply",
    "create_manifests",
    "delete_manifests",
    "list_to_yaml",
    "load_objects",
    "to_yaml",
]

Action = Literal["created", "configured", "unchanged"]
DryRun = Literal["client", "server"]
MISSING_ANNOTATION = (
    "Warning: resource {resource}/{name} is missing the "
    "kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl "
    "apply. kubectl apply should only be used on resources created declaratively by either "
    "kubectl create --save-config or kubectl apply. The missing annotation will be patched "
    "automatically."
)
_SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields",
                  "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")  # fmt: skip


@dataclass
class Planned:
    """What apply will do with one object."""

    entry: Entry
    kind: str
    namespace: str
    name: str
    action: Action
    obj: Obj
    live: Obj | None = None

    def line(self, dry_run: DryRun | None = None) -> str:
        """kubectl's report line (``… configured (server dry run)``)."""
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run or "", "")
        return f"{resource_ref(self.kind, self.name)} {self.action}{suffix}"


@dataclass
class _Plan:
    default_ns: str = "default"
    enforce_ns: bool = False
    client_only: bool = False
    warnings: list[str] = field(default_factory=list)
    steps: list[Planned] = field(default_factory=list)
    issues: list[ManifestIssue] = field(default_factory=list)
    seen: dict[tuple[str, str, str], Entry] = field(default_factory=dict)
    new_namespaces: set[str] = field(default_factory=set)


def load_objects(source: str, text: str | None = None, *, check: bool = True) -> list[Obj]:
    """The objects of a manifest source, not defaulted — for demos and exercises that want the
    objects themselves. With ``check`` (the default) they are strictly decoded and validated
    like apply does (no store checks); without it only ``apiVersion``/``kind`` are checked and
    the objects come back as parsed (for deliberately broken exercise manifests).

    Raises:
        ManifestError: with every located problem.
    """
    issues: list[ManifestIssue] = []
    found: list[Entry] = []
    for doc in load_documents(source, text):
        more, problems = entries(doc)
        found += more
        issues += problems
    objs: list[Obj] = []
    for entry in found:
        obj, problems = decode(entry) if check else (entry.value, mapping_issues(entry))
        issues += problems
        if obj is None or problems:
            continue
        if check:
            issues += [entry.field_issue(e) for e in validate(apply_defaults(copy_obj(obj)))]
        objs.append(obj)
    if issues:
        raise ManifestError.of(issues)
    return objs


def apply(
    cluster: Cluster,
    source: str,
    text: str | None = None,
    *,
    namespace: str = "default",
    enforce_namespace: bool = False,
    dry_run: DryRun | None = None,
    warnings: list[str] | None = None,
) -> list[str]:
    """Apply manifests from ``text`` (named ``source``) or from the file/directory ``source``.

    Args:
        cluster: the cluster to write to.
        source: a path, or the name ``text`` is reported under.
        text: manifest text; None reads ``source`` (a file or a directory).
        namespace: where namespaced objects without ``metadata.namespace`` go.
        enforce_namespace: ``-n`` was given explicitly: a manifest naming another namespace
            is an error, as in kubectl.
        dry_run: ``"client"`` (decoding checks only) or ``"server"`` (every check): nothing is
            written and lines end in ``(dry run)`` / ``(server dry run)``.
        warnings: if given, receives kubectl's ``Warning: …`` lines (for stderr).

    Returns:
        kubectl's lines in document order (``statefulset.apps/web configured``).

    Raises:
        ManifestError: nothing was applied; the message lists every problem with its place.
    """
    plan = _Plan(namespace, enforce_namespace, client_only=dry_run == "client")
    for doc in load_documents(source, text):
        found, issues = entries(doc)
        plan.issues += issues
        for entry in found:
            _plan_entry(cluster.store, entry, plan)
    if plan.issues:
        raise ManifestError.of(plan.issues)
    if not plan.steps:
        raise ManifestError("no objects passed to apply")
    if warnings is not None:
        warnings += plan.warnings
    if dry_run is None:
        _execute(cluster.store, plan.steps)
    return [step.line(dry_run) for step in plan.steps]


def _plan_entry(store: Store, entry: Entry, plan: _Plan) -> None:
    obj, issues = decode(entry)
    if obj is None:
        plan.issues += issues
        return
    kind, name = entry.kind, entry.name
    if not name:
        generated = (obj.get("metadata") or {}).get("generateName")
        why = (
            "cannot use generate name with apply" if generated else "resource name may not be empty"
        )
        plan.issues.append(entry.issue(why, ("metadata",)))
        return
    ns, problem = _resolve_namespace(store, entry, obj, plan)
    key = (kind, ns, name)
    if problem is None:
        problem = _duplicate_problem(entry, key, plan)
    if problem is not None:
        plan.issues.append(problem)
        return
    plan.seen[key] = entry
    if kind == "Namespace":
        plan.new_namespaces.add(name)
    step = _desired(store, entry, key, obj, plan)
    if step is not None:
        plan.steps.append(step)


def _resolve_namespace(
    store: Store, entry: Entry, obj: Obj, plan: _Plan
) -> tuple[str, ManifestIssue | None]:
    """Set the object's namespace (the default, or none for cluster-scoped kinds) and check it:
    it must match an explicit ``-n`` and exist (or be created earlier in this apply)."""
    md = obj.setdefault("metadata", {})
    if not is_namespaced(entry.kind):
        md.pop("namespace", None)
        return "", None
    ns = md.get("namespace") or plan.default_ns
    md["namespace"] = ns
    where = ("metadata", "namespace")
    if plan.enforce_ns and ns != plan.default_ns:
        message = (
            f'the namespace from the provided object "{ns}" does not match the namespace '
            f"\"{plan.default_ns}\". You must pass '--namespace={ns}' to perform this operation."
        )
        return ns, entry.issue(message, where)
    problem = None if plan.client_only else _namespace_problem(store, ns, plan)
    return ns, entry.issue(problem, where) if problem else None


def _namespace_problem(store: Store, ns: str, plan: _Plan) -> str | None:
    if not ns or ns in plan.new_namespaces:
        return None
    live = store.get("Namespace", "", ns)
    if live is None:
        return f'namespaces "{ns}" not found'
    if live["metadata"].get("deletionTimestamp"):
        return f"unable to create new content in namespace {ns} because it is being terminated"
    return None


def _duplicate_problem(
    entry: Entry, key: tuple[str, str, str], plan: _Plan
) -> ManifestIssue | None:
    first = plan.seen.get(key)
    if first is None:
        return None
    where = f"{first.doc.source} document {first.doc.index}"
    message = f"the same object is already defined in {where} (line {first.line()})"
    return entry.issue(message, ("metadata", "name"))


def _desired(
    store: Store, entry: Entry, key: tuple[str, str, str], manifest: Obj, plan: _Plan
) -> Planned | None:
    kind, ns, name = key
    live = store.get(kind, ns, name)
    version = manifest["metadata"].get("resourceVersion")
    problem = _version_problem(kind, name, str(version), live) if version is not None else None
    if problem:
        plan.issues.append(entry.issue(problem, ("metadata", "resourceVersion")))
        return None
    wanted = with_last_applied(manifest)
    if live is None:
        obj, errors = _create_candidate(store, wanted)
        action: Action = "created"
    else:
        if LAST_APPLIED not in (live["metadata"].get("annotations") or {}):
            plan.warnings.append(MISSING_ANNOTATION.format(resource=KINDS[kind][1], name=name))
        obj, errors = _update_candidate(store, wanted, live)
        action = "unchanged" if _same(obj, live) else "configured"
    if errors and not plan.client_only:
        plan.issues += [_located(entry, e, obj, live) for e in errors]
        return None
    return Planned(entry, kind, ns, name, action, obj, live)


def _create_candidate(store: Store, wanted: Obj) -> tuple[Obj, list[FieldError]]:
    """The object a create would store (server-owned fields and status dropped)."""
    for key in _SERVER_FIELDS:
        wanted["metadata"].pop(key, None)
    wanted.pop("status", None)
    return admission.review(store, wanted, None)


def _update_candidate(store: Store, wanted: Obj, live: Obj) -> tuple[Obj, list[FieldError]]:
    """The object the apply patch would leave (server-owned fields and status kept)."""
    merged = three_way_merge(live, previous_config(live), wanted)
    for key in _SERVER_FIELDS:
        if key in live["metadata"]:
            merged["metadata"][key] = live["metadata"][key]
    if "status" in live:
        merged["status"] = copy_obj(live["status"])
    return admission.review(store, merged, live)


def _located(entry: Entry, err: FieldError, obj: Obj, live: Obj | None) -> ManifestIssue:
    """The issue of a field error, at the most telling line: a forbidden ``spec`` change
    points at the first changed field the manifest writes; ``clusterIPs`` at ``clusterIP``."""
    path = err.path
    if path == ("spec",) and live is not None:
        new_spec, old_spec = obj.get("spec") or {}, live.get("spec") or {}
        mutable = STS_MUTABLE if entry.kind == "StatefulSet" else ()
        for key in entry.value.get("spec") or {}:
            if key not in mutable and new_spec.get(key) != old_spec.get(key):
                return entry.issue(str(err), ("spec", key))
    if path[:2] == ("spec", "clusterIPs") and "clusterIPs" not in (entry.value.get("spec") or {}):
        return entry.issue(str(err), ("spec", "clusterIP"))
    return entry.field_issue(err)


def _version_problem(kind: str, name: str, version: str, live: Obj | None) -> str | None:
    if live is None:
        return "resourceVersion should not be set on objects to be created"
    if live["metadata"].get("resourceVersion") != version:
        return (
            f'Operation cannot be fulfilled on {_resource(kind)} "{name}": the object has been '
            "modified; please apply your changes to the latest version and try again"
        )
    return None


def _resource(kind: str) -> str:
    api_version, plural, _ = KINDS[kind]
    return f"{plural}.{api_version.split('/')[0]}" if "/" in api_version else plural


def _same(new: Obj, live: Obj) -> bool:
    ignore = {"resourceVersion", "generation", "managedFields"}
    if {k: v for k, v in new.items() if k != "metadata"} != {
        k: v for k, v in live.items() if k != "metadata"
    }:
        return False
    md_new = {k: v for k, v in new["metadata"].items() if k not in ignore}
    md_live = {k: v for k, v in live["metadata"].items() if k not in ignore}
    return md_new == md_live


def _execute(store: Store, steps: list[Planned]) -> None:
    done: list[Planned] = []
    try:
        for step in steps:
            if step.action == "created":
                store.create(step.obj)
            elif step.action == "configured":
                store.update(step.obj)
            else:
                continue
            done.append(step)
    except StoreError as err:
        _roll_back(store, done)
        failing = steps[len(done)] if len(done) < len(steps) else steps[-1]
        raise _write_error(failing, err) from None


def _write_error(step: Planned, err: StoreError) -> ManifestError:
    if isinstance(err, admission.AdmissionInvalid):
        return ManifestError.of([step.entry.field_issue(e) for e in err.errors])
    return ManifestError.of([step.entry.issue(str(err))])


def _roll_back(store: Store, done: list[Planned]) -> None:
    for step in reversed(done):
        if step.action == "created":
            if store.get(step.kind, step.namespace, step.name) is not None:
                store.remove(step.kind, step.namespace, step.name)
        elif step.live is not None:
            restore = copy_obj(step.live)
            current = store.get(step.kind, step.namespace, step.name)
            if current is not None:
                restore["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
                store.update(restore)
