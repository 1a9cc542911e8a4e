"""``kubectl create -f``: create every object of the manifests, one by one.

Unlike apply, create is not all-or-nothing and never updates: each object is decoded strictly
and stored (the admission chain defaults and validates it); an object that exists already, a
missing namespace or an invalid object is reported and the others are still created, as
kubectl does (exit code 1 when anything failed). ``save_config`` adds the last-applied
annotation like ``--save-config``, so a later ``kubectl apply`` merges cleanly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.admission import AdmissionInvalid
from engine.apply_merge import with_last_applied
from engine.manifest_check import Entry, accepted_entries, decode
from engine.objects import Obj, is_namespaced, resource_ref
from engine.result import CommandResult
from engine.store import AlreadyExists, StoreError

if TYPE_CHECKING:
    from engine.cluster import Cluster


def create_manifests(
    cluster: Cluster,
    source: str,
    text: str | None = None,
    *,
    namespace: str = "default",
    save_config: bool = False,
) -> CommandResult:
    """Create the objects of ``text`` (named ``source``) or of the file/directory ``source``.

    Raises:
        ManifestError: the text is not valid YAML (or the path does not exist).
    """
    result = CommandResult()
    for entry, obj in accepted_entries(source, text, result, decode):
        _create_one(cluster, entry, obj, namespace, save_config, result)
    cluster.drain()
    return result


def _create_one(
    cluster: Cluster,
    entry: Entry,
    obj: Obj,
    default_ns: str,
    save_config: bool,
    result: CommandResult,
) -> None:
    md = obj.setdefault("metadata", {})
    if not md.get("name") and not md.get("generateName"):
        message = "metadata.name: Required value: name or generateName is required"
        result.fail(f"{entry.issue(message, ('metadata',))}\n")
        return
    if is_namespaced(entry.kind):
        md["namespace"] = md.get("namespace") or default_ns
        ns = md["namespace"]
        if cluster.store.get("Namespace", "", ns) is None:
            result.fail(_server_error("NotFound", entry, f'namespaces "{ns}" not found'))
            return
    else:
        md.pop("namespace", None)
    obj.pop("status", None)
    try:
        stored = cluster.store.create(with_last_applied(obj) if save_config else obj)
    except AdmissionInvalid as err:
        for error in err.errors:
            result.fail(f"{entry.field_issue(error)}\n")
        return
    except AlreadyExists as err:
        result.fail(_server_error("AlreadyExists", entry, str(err)))
        return
    except StoreError as err:
        result.fail(_server_error(err.reason, entry, str(err)))
        return
    result.out(f"{resource_ref(entry.kind, str(stored['metadata']['name']))} created\n")


def _server_error(reason: str, entry: Entry, message: str) -> str:
    source = entry.doc.source
    return f'Error from server ({reason}): error when creating "{source}": {message}\n'
