"""Manifests: ``kubectl apply -f`` / ``kubectl delete -f`` for the playground.

:func:`apply` is all-or-nothing per invocation. It first *plans* every object of every document
— resource mapping, strict decoding, defaulting, validation, the namespace exists, no object
twice, immutable fields against the stored object (the admission chain of
:mod:`engine.admission` run on a copy) — and writes only when nothing is wrong, so an error in
document 5 leaves documents 1–4 unapplied and the store untouched. If a write still fails (an
admission hook from another part of the engine), the writes already made are rolled back.

Each object is reported as kubectl does: ``service/nginx created``, ``statefulset.apps/web
configured``, ``… unchanged`` (nothing written). Errors carry their place:
``web.yaml: document 2 (StatefulSet "web"), line 14: spec.replicas: Invalid value: "three":
must be an integer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from engine import admission
from engine.apply_merge import previous_config, three_way_merge, with_last_applied
from engine.manifest_check import Entry, ManifestIssue, decode, entries, mapping_issues
from engine.objects import KINDS, Obj, copy_obj, is_namespaced, resource_ref
from engine.result import CommandResult
from engine.schema.defaults import apply_defaults
from engine.schema.errors import FieldError
from engine.schema.immutable import STS_MUTABLE
from engine.schema.validate import validate
from engine.store import NotFound, Store, StoreError
from engine.yaml_in import Document, YAMLInputError, parse_documents, read_sources

if TYPE_CHECKING:
    from engine.cluster import Cluster

Action = Literal["created", "configured", "unchanged"]
_SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields",
                  "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")  # fmt: skip


class ManifestError(ValueError):
    """Invalid manifest input; nothing was applied. ``issues`` are the located problems."""

    def __init__(self, message: str, issues: list[ManifestIssue] | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []

    @classmethod
    def of(cls, issues: list[ManifestIssue]) -> ManifestError:
        """One error listing every issue, one per line."""
        return cls("\n".join(str(i) for i in issues), issues)


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

    @property
    def line(self) -> str:
        """kubectl's report line."""
        return f"{resource_ref(self.kind, self.name)} {self.action}"


@dataclass
class _Plan:
    steps: list[Planned] = field(default_factory=list)
    issues: list[ManifestIssue] = field(default_factory=list)
    seen: dict[tuple[str, str, str], Entry] = field(default_factory=dict)
    new_namespaces: set[str] = field(default_factory=set)


def load_documents(source: str, text: str | None = None) -> list[Document]:
    """Parse ``text`` (named ``source``), or the file or directory ``source``."""
    try:
        texts = [(source, text)] if text is not None else read_sources(source)
        return [doc for name, body in texts for doc in parse_documents(name, body)]
    except YAMLInputError as err:
        raise ManifestError(str(err)) from None


def _entries(docs: list[Document]) -> tuple[list[Entry], list[ManifestIssue]]:
    found: list[Entry] = []
    issues: list[ManifestIssue] = []
    for doc in docs:
        more, problems = entries(doc)
        found += more
        issues += problems
    return found, issues


def load_objects(source: str, text: str | None = None, *, check: bool = True) -> list[Obj]:
    """The objects of a manifest source, decoded (and, with ``check``, validated) but not
    defaulted — for demos and exercises that want the objects themselves.

    Raises:
        ManifestError: with every located problem.
    """
    found, issues = _entries(load_documents(source, text))
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
    cluster: Cluster, source: str, text: str | None = None, *, namespace: str = "default"
) -> list[str]:
    """Apply manifests from ``text`` (named ``source``) or from the file/directory ``source``.

    Namespaced objects without ``metadata.namespace`` go to ``namespace``. Returns kubectl's
    lines in document order.

    Raises:
        ManifestError: nothing was applied; the message lists every problem with its place.
    """
    plan = _Plan()
    for doc in load_documents(source, text):
        found, issues = entries(doc)
        plan.issues += issues
        for entry in found:
            _plan_entry(cluster.store, entry, namespace, plan)
    if plan.issues:
        raise ManifestError.of(plan.issues)
    _execute(cluster.store, plan.steps)
    return [step.line for step in plan.steps]


def _plan_entry(store: Store, entry: Entry, default_ns: str, plan: _Plan) -> None:
    obj, issues = decode(entry)
    if obj is None:
        plan.issues += issues
        return
    kind, name = entry.kind, entry.name
    if not name:
        md = obj.get("metadata") or {}
        why = (
            "cannot use generate name with apply"
            if md.get("generateName")
            else ("resource name may not be empty")
        )
        plan.issues.append(entry.issue(why, ("metadata",)))
        return
    md = obj.setdefault("metadata", {})
    ns = ""
    if is_namespaced(kind):
        ns = md.get("namespace") or default_ns
        md["namespace"] = ns
    else:
        md.pop("namespace", None)
    key = (kind, ns, name)
    problem = _namespace_problem(store, ns, plan)
    if problem:
        plan.issues.append(entry.issue(problem, ("metadata", "namespace")))
        return
    problem = _duplicate_problem(entry, key, plan)
    if problem:
        plan.issues.append(entry.issue(problem, ("metadata", "name")))
        return
    plan.seen[key] = entry
    if kind == "Namespace":
        plan.new_namespaces.add(name)
    step = _desired(store, entry, key, obj, plan)
    if step is not None:
        plan.steps.append(step)


def _namespace_problem(store: Store, ns: str, plan: _Plan) -> str | None:
    if not ns or ns in plan.new_namespaces:
        return None
    live = store.get("Namespace", "", ns)
    if live is None:
        return f'namespaces "{ns}" not found'
    if live["metadata"].get("deletionTimestamp"):
        return f"unable to create new content in namespace {ns} because it is being terminated"
    return None


def _duplicate_problem(entry: Entry, key: tuple[str, str, str], plan: _Plan) -> str | None:
    first = plan.seen.get(key)
    if first is None:
        return None
    where = f"{first.doc.source} document {first.doc.index}"
    return f"the same object is already defined in {where} (line {first.line()})"


def _desired(
    store: Store, entry: Entry, key: tuple[str, str, str], manifest: Obj, plan: _Plan
) -> Planned | None:
    kind, ns, name = key
    live = store.get(kind, ns, name)
    version = manifest["metadata"].get("resourceVersion")
    if version is not None:
        problem = _version_problem(kind, name, str(version), live)
        if problem:
            plan.issues.append(entry.issue(problem, ("metadata", "resourceVersion")))
            return None
    wanted = with_last_applied(manifest)
    if live is None:
        for name_ in _SERVER_FIELDS:
            wanted["metadata"].pop(name_, None)
        wanted.pop("status", None)
        obj, errors = admission.review(store, wanted, None)
        action: Action = "created"
    else:
        merged = three_way_merge(live, previous_config(live), wanted)
        for name_ in _SERVER_FIELDS:
            if name_ in live["metadata"]:
                merged["metadata"][name_] = live["metadata"][name_]
        if "status" in live:
            merged["status"] = copy_obj(live["status"])
        obj, errors = admission.review(store, merged, live)
        action = "unchanged" if _same(obj, live) else "configured"
    if errors:
        plan.issues += [_located(entry, e, obj, live) for e in errors]
        return None
    return Planned(entry, kind, ns, name, action, obj, live)


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


def delete_manifests(
    cluster: Cluster,
    source: str,
    text: str | None = None,
    *,
    namespace: str = "default",
    cascade: str = "background",
    grace_period: int | None = None,
    force: bool = False,
) -> CommandResult:
    """``kubectl delete -f``: delete every object the manifests name, in document order.

    Objects that do not exist are reported (``Error from server (NotFound): …``) and the rest
    are still deleted, as kubectl does; the exit code is then 1.

    Raises:
        ManifestError: the text is not valid YAML.
    """
    found, issues = _entries(load_documents(source, text))
    result = CommandResult()
    for issue in issues:
        result.fail(f"error: {issue}\n")
    for entry in found:
        problems = mapping_issues(entry)
        if problems or not entry.name:
            for issue in problems or [entry.issue("resource name may not be empty")]:
                result.fail(f"error: {issue}\n")
            continue
        _delete_one(cluster, entry, namespace, cascade, grace_period, force, result)
    return result


def _delete_one(
    cluster: Cluster,
    entry: Entry,
    default_ns: str,
    cascade: str,
    grace_period: int | None,
    force: bool,
    result: CommandResult,
) -> None:
    kind, name = entry.kind, entry.name
    ns = (entry.namespace or default_ns) if is_namespaced(kind) else ""
    ref = resource_ref(kind, name).replace("/", " ", 1).split(" ")[0]
    try:
        cluster.delete(kind, ns, name, force=force, grace_period=grace_period, cascade=cascade)
    except NotFound as err:
        result.fail(
            f'Error from server (NotFound): error when deleting "{entry.doc.source}": {err}\n'
        )
        return
    suffix = f" from {ns} namespace" if ns else ""
    result.out(f'{ref} "{name}" deleted{suffix}\n')
