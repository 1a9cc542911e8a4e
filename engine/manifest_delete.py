"""``kubectl delete -f``: delete the objects manifests name, in document order.

Unlike apply this is not all-or-nothing: kubectl deletes what it can and reports the rest
(``Error from server (NotFound): error when deleting "web.yaml": services "nginx" not
found``), exiting 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.manifest_check import Entry, ManifestIssue, accepted_entries, mapping_issues
from engine.objects import is_namespaced, resource_ref
from engine.result import CommandResult
from engine.store import NotFound

if TYPE_CHECKING:
    from engine.cluster import Cluster


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
    """Delete every object of the manifests; stdout/stderr lines and exit code as kubectl's.

    Raises:
        ManifestError: the text is not valid YAML (or the path does not exist).
    """
    result = CommandResult()
    for entry, _ in accepted_entries(source, text, result, _deletable):
        _delete_one(cluster, entry, namespace, cascade, grace_period, force, result)
    return result


def _deletable(entry: Entry) -> tuple[Entry | None, list[ManifestIssue]]:
    problems = mapping_issues(entry)
    if not problems and not entry.name:
        problems = [entry.issue("resource name may not be empty", ("metadata",))]
    return (None if problems else entry), problems


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
    resource = resource_ref(kind, name).split("/", 1)[0]
    try:
        cluster.delete(kind, ns, name, force=force, grace_period=grace_period, cascade=cascade)
    except NotFound as err:
        result.fail(
            f'Error from server (NotFound): error when deleting "{entry.doc.source}": {err}\n'
        )
        return
    suffix = f" from {ns} namespace" if ns else ""
    result.out(f'{resource} "{name}" deleted{suffix}\n')
