"""``--field-selector``: the API server's field selectors for the fields it indexes.

Syntax ``key=value``, ``key==value``, ``key!=value``, comma-separated (all must hold). Every
resource supports ``metadata.name`` and ``metadata.namespace``; pods, nodes and events add the
fields the API server registers for them. Anything else is the API server's BadRequest.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from engine.kubectl.parse import KubectlError
from engine.kubectl.resources import plural
from engine.objects import KINDS, Obj, get_path

_COMMON = {"metadata.name", "metadata.namespace"}
_EXTRA = {
    "Pod": {
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.nominatedNodeName",
    },
    "Node": {"spec.unschedulable"},
    "Event": {
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    },
    "PersistentVolumeClaim": {"status.phase"},
    "PersistentVolume": {"status.phase"},
}
_TERM = re.compile(r"^([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)$")

FieldMatcher = Callable[[Obj], bool]
_BOOL_FIELDS = {"spec.unschedulable", "spec.hostNetwork"}


def _value(obj: Obj, key: str) -> str:
    """The field as the API server's field-label conversion renders it."""
    actual = get_path(obj, "source.component" if key == "source" else key)
    if key in _BOOL_FIELDS:
        return "true" if actual else "false"
    return "" if actual is None else str(actual)


def parse_fields(kind: str, text: str, label_text: str = "") -> FieldMatcher | None:
    """A predicate for ``--field-selector`` on ``kind`` (None when empty)."""
    if not text:
        return None
    terms: list[tuple[str, bool, str]] = []
    for part in text.split(","):
        m = _TERM.match(part.strip())
        if not m:
            raise KubectlError(
                f'Error from server (BadRequest): invalid field selector: "{part}": '
                "invalid selector: field selector must be of the form key=value\n"
            )
        key, op, value = m.groups()
        if key not in _COMMON | _EXTRA.get(kind, set()):
            api = KINDS[kind][0]
            group, _, version = api.rpartition("/")
            raise KubectlError(
                f'Error from server (BadRequest): Unable to find "{group}/{version}, '
                f'Resource={plural(kind)}" that match label selector "{label_text}", field '
                f'selector "{text}": field label not supported: {key}\n'
            )
        terms.append((key, op != "!=", value))

    def match(obj: Obj) -> bool:
        return all((_value(obj, key) == value) == equal for key, equal, value in terms)

    return match
