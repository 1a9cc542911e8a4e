"""Checking manifest documents: kind and apiVersion mapping, decoding, validation — each
problem located by source, document number, line and field path.

A document becomes one :class:`Entry` (or several, for ``kind: List``). :func:`check_entry`
does what kubectl and the API server do before anything is stored — resource mapping, strict
decoding, defaulting, validation — and reports in their words, prefixed with where:
``web.yaml: document 2 (StatefulSet "web"), line 14: spec.replicas: Invalid value: -1: must be
greater than or equal to 0``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from engine.objects import KINDS, Obj
from engine.schema.apps import SCHEMAS
from engine.schema.errors import FieldError, FieldPath
from engine.schema.types import decode_errors, normalize
from engine.yaml_in import Document, YAMLInputError, parse_documents, read_sources

if TYPE_CHECKING:
    from engine.result import CommandResult

T = TypeVar("T")

#: Real Kubernetes kinds the playground does not simulate (a clearer error than "no matches").
NOT_SIMULATED = frozenset(
    {
        "ConfigMap", "Secret", "ServiceAccount", "Job", "CronJob", "DaemonSet", "Ingress",
        "IngressClass", "NetworkPolicy", "Role", "RoleBinding", "ClusterRole",
        "ClusterRoleBinding", "PodDisruptionBudget", "HorizontalPodAutoscaler", "LimitRange",
        "ResourceQuota", "ReplicationController", "PriorityClass", "CustomResourceDefinition",
        "Endpoints", "EndpointSlice", "ControllerRevision", "Event", "PodTemplate",
        "VolumeAttachment", "CSIDriver", "Lease",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ManifestIssue:
    """One problem, with where it is."""

    source: str
    document: int
    item: int | None
    kind: str
    name: str
    line: int
    message: str

    def __str__(self) -> str:
        what = " ".join(x for x in (self.kind, _quote(self.name) if self.name else "") if x)
        where = f"document {self.document}"
        if self.item is not None:
            where += f", items[{self.item}]"
        if what:
            where += f" ({what})"
        return f"{self.source}: {where}, line {self.line}: {self.message}"


def _quote(name: str) -> str:
    return f'"{name}"'


@dataclass
class Entry:
    """One object of a document (a ``List`` item has ``item`` set)."""

    doc: Document
    value: Any
    item: int | None = None

    @property
    def prefix(self) -> FieldPath:
        """Path of the object inside its document."""
        return () if self.item is None else ("items", self.item)

    @property
    def kind(self) -> str:
        """``kind`` as written (empty when missing or not a string)."""
        kind = self.value.get("kind") if isinstance(self.value, dict) else None
        return kind if isinstance(kind, str) else ""

    @property
    def name(self) -> str:
        """``metadata.name`` as written (empty when missing)."""
        md = self.value.get("metadata") if isinstance(self.value, dict) else None
        name = md.get("name") if isinstance(md, dict) else None
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str:
        """``metadata.namespace`` as written (empty when missing)."""
        md = self.value.get("metadata") if isinstance(self.value, dict) else None
        ns = md.get("namespace") if isinstance(md, dict) else None
        return ns if isinstance(ns, str) else ""

    def line(self, path: FieldPath = ()) -> int:
        """Line of ``path`` (relative to the object)."""
        return self.doc.line_of((*self.prefix, *path))

    def issue(self, message: str, path: FieldPath = ()) -> ManifestIssue:
        """A located problem of this entry."""
        return ManifestIssue(
            self.doc.source,
            self.doc.index,
            self.item,
            self.kind,
            self.name,
            self.line(path),
            message,
        )

    def field_issue(self, err: FieldError) -> ManifestIssue:
        """A located field error."""
        return self.issue(str(err), _existing(err.path))


def _existing(path: FieldPath) -> FieldPath:
    """The manifest path of an error path: map keys (``limits[cpu]``) are plain keys there;
    a claim's ``resources[storage]`` is written under ``resources.requests``."""
    out: list[str | int] = []
    for part in path:
        if isinstance(part, str) and part.startswith("["):
            key = part[1:-1]
            if out[-2:] == ["spec", "resources"]:
                out.append("requests")
            out.append(key)
        else:
            out.append(part)
    return tuple(out)


def entries(doc: Document) -> tuple[list[Entry], list[ManifestIssue]]:
    """The objects of a document, expanding ``kind: List``."""
    whole = Entry(doc, doc.value)
    if not isinstance(doc.value, dict):
        shape = "a list" if isinstance(doc.value, list) else "a scalar"
        return [], [
            whole.issue(
                "error validating data: a manifest must be a mapping with apiVersion, kind and "
                f"metadata, not {shape}"
            )
        ]
    if doc.value.get("kind") == "List" and doc.value.get("apiVersion") == "v1":
        items = doc.value.get("items")
        if items is None:
            return [], []
        if not isinstance(items, list):
            return [], [whole.issue("error validating data: items must be a list", ("items",))]
        found = [Entry(doc, item, i) for i, item in enumerate(items)]
        issues: list[ManifestIssue] = []
        for e in found:
            if not isinstance(e.value, dict):
                issues.append(e.issue("error validating data: a List item must be a mapping"))
        return [e for e in found if isinstance(e.value, dict)], issues
    return [whole], []


def mapping_issues(entry: Entry) -> list[ManifestIssue]:
    """``apiVersion not set`` / ``kind not set`` / ``no matches for kind``."""
    value = entry.value
    missing = [f"{k} not set" for k in ("apiVersion", "kind") if not value.get(k)]
    if missing:
        text = missing[0] if len(missing) == 1 else f"[{', '.join(missing)}]"
        return [entry.issue(f"error validating data: {text}")]
    kind, version = entry.kind, value.get("apiVersion")
    if kind in SCHEMAS and KINDS[kind][0] == version:
        return []
    if kind in NOT_SIMULATED:
        modelled = ", ".join(SCHEMAS)
        return [
            entry.issue(
                f'kind "{kind}" is not simulated by the playground (it models {modelled})',
                ("kind",),
            )
        ]
    ns = entry.namespace
    where = ("apiVersion",) if kind in SCHEMAS else ("kind",)
    return [
        entry.issue(
            f'resource mapping not found for name: "{entry.name}" namespace: "{ns}" from '
            f'"{entry.doc.source}": no matches for kind "{kind}" in version "{version}"\n'
            "ensure CRDs are installed first",
            where,
        )
    ]


def decode(entry: Entry) -> tuple[Obj | None, list[ManifestIssue]]:
    """Mapping and strict decoding: the normalised object, or the issues."""
    issues = mapping_issues(entry)
    if issues:
        return None, issues
    schema = SCHEMAS[entry.kind]
    errors = decode_errors(entry.value, schema)
    if errors:
        return None, [entry.issue(e.message, e.path) for e in errors]
    obj: Obj = normalize(entry.value, schema)
    return obj, []


class ManifestError(ValueError):
    """Invalid manifest input; nothing was applied. ``issues`` are the located problems."""

    def __init__(self, message: str, issues: list[ManifestIssue] | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []

    @classmethod
    def of(cls, issues: list[ManifestIssue]) -> ManifestError:
        """One error listing every issue, one per line."""
        return cls("\n".join(str(i) for i in issues), issues)


def load_documents(source: str, text: str | None = None) -> list[Document]:
    """Parse ``text`` (named ``source``), or the file or directory ``source``."""
    try:
        texts = [(source, text)] if text is not None else read_sources(source)
        return [doc for name, body in texts for doc in parse_documents(name, body)]
    except YAMLInputError as err:
        raise ManifestError(str(err)) from None


def accepted_entries(
    source: str,
    text: str | None,
    result: CommandResult,
    check: Callable[[Entry], tuple[T | None, list[ManifestIssue]]],
) -> Iterator[tuple[Entry, T]]:
    """Each object of the manifests that ``check`` accepts, in document order, with what
    ``check`` made of it.

    The one-by-one commands (``create -f``, ``delete -f``) act on what they can: every issue
    met on the way (a document that is not an object, a mapping or decoding problem) is
    reported on ``result`` as kubectl prints it (``error: …``, exit code 1) and that object is
    skipped while the others go on.

    Raises:
        ManifestError: the text is not valid YAML (or the path does not exist).
    """
    for doc in load_documents(source, text):
        found, issues = entries(doc)
        for issue in issues:
            result.fail(f"error: {issue}\n")
        for entry in found:
            value, problems = check(entry)
            for issue in problems:
                result.fail(f"error: {issue}\n")
            if value is not None:
                yield entry, value
