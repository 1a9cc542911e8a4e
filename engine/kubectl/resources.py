"""Resource names as kubectl's REST mapper resolves them (``po``, ``sts``, ``statefulsets.apps``).

Also the ``TYPE/NAME`` and ``TYPE NAME…`` argument forms kubectl's resource builder accepts, and
the ``all`` category.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.kubectl.parse import KubectlError, error
from engine.objects import KINDS, api_group

#: kind -> short names (kubectl api-resources SHORTNAMES)
_SHORT: dict[str, tuple[str, ...]] = {
    "Namespace": ("ns",),
    "Node": ("no",),
    "Pod": ("po",),
    "Service": ("svc",),
    "Endpoints": ("ep",),
    "PersistentVolumeClaim": ("pvc",),
    "PersistentVolume": ("pv",),
    "Event": ("ev",),
    "StatefulSet": ("sts",),
    "Deployment": ("deploy",),
    "ReplicaSet": ("rs",),
    "ControllerRevision": (),
    "EndpointSlice": (),
    "StorageClass": ("sc",),
}

#: ``kubectl get all``: the "all" category in the order the API discovery lists it.
ALL_CATEGORY = ("Pod", "Service", "Deployment", "ReplicaSet", "StatefulSet")


def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for kind, (_api, plural, _ns) in KINDS.items():
        group = api_group(kind)
        singular = kind.lower()
        names = [plural, singular, *_SHORT.get(kind, ())]
        for name in names:
            table[name] = kind
            if group:
                table[f"{name}.{group}"] = kind
    return table


_ALIASES = _aliases()


def short_names(kind: str) -> tuple[str, ...]:
    """kubectl's short names of ``kind`` (``sts``)."""
    return _SHORT.get(kind, ())


def resolve_kind(word: str) -> str:
    """The kind for a resource word, or kubectl's error for an unknown type."""
    kind = _ALIASES.get(word.lower())
    if kind is None:
        raise error(f'the server doesn\'t have a resource type "{word}"')
    return kind


def plural(kind: str) -> str:
    """``pods``, ``statefulsets`` …"""
    return KINDS[kind][1]


def qualified_plural(kind: str) -> str:
    """``pods``, ``statefulsets.apps`` (the form in API error messages)."""
    group = api_group(kind)
    return f"{plural(kind)}.{group}" if group else plural(kind)


def qualified_singular(kind: str) -> str:
    """``pod``, ``statefulset.apps`` (the form in ``-o name`` and command messages)."""
    group = api_group(kind)
    return f"{kind.lower()}.{group}" if group else kind.lower()


@dataclass
class Target:
    """What a command's arguments ask for: one kind, optionally some names (and, for ``-f``,
    the manifest they came from and its namespace)."""

    kind: str
    names: list[str]
    source: str = ""
    namespace: str | None = None


def parse_targets(args: list[str], allow_all: bool = False) -> list[Target]:
    """Turn ``TYPE[,TYPE…] [NAME…]`` or ``TYPE/NAME…`` arguments into targets.

    Raises kubectl's errors for unknown types and for mixing the two forms.
    """
    if not args:
        return []
    if any("/" in a for a in args):
        return _slash_targets(args)
    kinds: list[str] = []
    for word in args[0].split(","):
        if not word:
            continue
        if allow_all and word.lower() == "all":
            kinds.extend(k for k in ALL_CATEGORY if k not in kinds)
        else:
            kind = resolve_kind(word)
            if kind not in kinds:
                kinds.append(kind)
    names = args[1:]
    if names and len(kinds) > 1:
        raise error(
            "you must specify only one resource type when providing names "
            f"(found {len(kinds)} types)"
        )
    return [Target(kind, list(names)) for kind in kinds]


def _slash_targets(args: list[str]) -> list[Target]:
    targets: list[Target] = []
    for arg in args:
        kind_word, slash, name = arg.partition("/")
        if not slash:
            raise error(
                "there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form (e.g. 'kubectl get "
                "resource/<resource_name>' instead of 'kubectl get resource resource/"
                "<resource_name>'"
            )
        if not name:
            raise error("arguments in resource/name form must have a single resource and name")
        kind = resolve_kind(kind_word)
        if targets and targets[-1].kind == kind:
            targets[-1].names.append(name)
        else:
            targets.append(Target(kind, [name]))
    return targets


def not_found_text(kind: str, name: str) -> str:
    """``Error from server (NotFound): pods "x" not found``."""
    return f'Error from server (NotFound): {qualified_plural(kind)} "{name}" not found\n'


class NotFoundError(KubectlError):
    """An object named on the command line does not exist."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(not_found_text(kind, name))
