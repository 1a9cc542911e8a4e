"""``kubectl apply -f`` and ``kubectl delete`` (pkg/cmd/delete/delete.go).

Delete prints ``pod "web-1" deleted from default namespace`` (kubectl ≥ 1.34) as each request
returns, then — unless ``--wait=false`` — lets simulated time pass until every deleted object
is gone, as kubectl waits. ``--force --grace-period=0`` prints kubectl's warning and
``force deleted``. ``delete -f`` reads the manifests itself and deletes the objects they name.
"""

from __future__ import annotations

from engine import manifests
from engine.kubectl.env import Command, Env, selector_of
from engine.kubectl.fields import parse_fields
from engine.kubectl.files import read_sources
from engine.kubectl.parse import Flag, KubectlError, Parsed, error
from engine.kubectl.resources import (
    Target,
    not_found_text,
    parse_targets,
    qualified_singular,
    resolve_kind,
)
from engine.kubectl.waiting import wait_gone
from engine.manifests import ManifestError
from engine.objects import Obj, is_namespaced

APPLY_FLAGS = (Flag("filename", "strs", "f"), Flag("recursive", "bool", "R"))

DELETE_FLAGS = (
    Flag("filename", "strs", "f"),
    Flag("selector", "str", "l", ""),
    Flag("all", "bool"),
    Flag("all-namespaces", "bool", "A"),
    Flag("force", "bool"),
    Flag("grace-period", "int", default=-1),
    Flag("now", "bool"),
    Flag("cascade", "str", default="background"),
    Flag("wait", "bool", default=True),
    Flag("timeout", "str", default="0s"),
    Flag("ignore-not-found", "bool"),
    Flag("output", "str", "o", ""),
    Flag("field-selector", "str", default=""),
)

FORCE_WARNING = (
    "Warning: Immediate deletion does not wait for confirmation that the running resource has "
    "been terminated. The resource may continue to run on the cluster indefinitely.\n"
)
_NO_RESOURCES = (
    "You must provide one or more resources by argument or filename.\n"
    "Example resource specifications include:\n"
    "   '-f rsrc.yaml'\n"
    "   '--filename=rsrc.json'\n"
    "   '<resource> <name>'\n"
    "   '<resource>'"
)


def run_apply(env: Env, p: Parsed) -> None:
    """``kubectl apply -f FILE|DIR|-``: namespaced objects without a namespace go to ``-n``."""
    if not p.flags["filename"]:
        raise error("must specify one of -f and -k")
    sources = read_sources(p.flags["filename"], env.stdin)
    for source, text in sources:
        try:
            lines = manifests.apply(env.cluster, source, text, namespace=env.namespace)
        except ManifestError as exc:
            raise KubectlError(str(exc)) from exc
        env.cluster.drain()
        env.out("".join(line.rstrip("\n") + "\n" for line in lines))


def run_delete(env: Env, p: Parsed) -> None:
    """``kubectl delete``."""
    grace, force, cascade = _options(p)
    output = p.text("output")
    if output not in ("", "name"):
        raise error(f"unexpected -o output mode: {output}. We only support '-o name'")
    targets = _targets(env, p)
    if p.flag("all") or p.text("selector") or p.text("field-selector"):
        p.flags["ignore-not-found"] = (
            p.flags["ignore-not-found"] or "ignore-not-found" not in p.given
        )
    objs, errors = _select(env, p, targets)
    if force and grace == 0:
        env.err(FORCE_WARNING)
    warn_scope = env.namespace_given and not p.flag("all-namespaces")
    for obj in objs:
        if warn_scope and not is_namespaced(obj["kind"]):
            env.err(
                "Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n"
            )
            warn_scope = False
        _delete_one(env, obj, grace, cascade, output == "name")
    if errors:
        raise KubectlError("".join(errors))
    if not objs:
        env.out("No resources found\n")
    elif p.flag("wait"):
        wait_gone(env, objs, p.text("timeout"))


def _options(p: Parsed) -> tuple[int, bool, str]:
    cascade = p.text("cascade")
    if cascade == "true":
        cascade = "background"
    elif cascade == "false":
        cascade = "orphan"
    if cascade not in ("background", "foreground", "orphan"):
        raise error(
            f'invalid cascade value ({p.text("cascade")}). Must be "background", '
            '"foreground", or "orphan"'
        )
    grace = int(p.flags["grace-period"])
    force = p.flag("force")
    if p.flag("now"):
        if grace != -1:
            raise error("--now and --grace-period cannot be specified together")
        grace = 1
    if grace == 0 and not force:
        grace = 1
    if force and grace < 0:
        grace = 0
    if force and grace > 0:
        raise error("--force and --grace-period greater than 0 cannot be specified together")
    return grace, force, cascade


def _targets(env: Env, p: Parsed) -> list[Target]:
    if p.flags["filename"]:
        if p.args:
            raise error("resource(s) were provided, but no name was specified")
        return _targets_from_files(env, p.flags["filename"])
    if not p.args:
        raise error(_NO_RESOURCES)
    targets = parse_targets(p.args)
    named = any(t.names for t in targets)
    selected = p.text("selector") or p.text("field-selector")
    if named and (p.flag("all") or selected):
        raise error("name cannot be provided when a selector is specified")
    if p.flag("all") and p.text("selector"):
        raise error("setting 'all' parameter but found a non empty selector. ")
    if not named and not p.flag("all") and not selected:
        raise error("resource(s) were provided, but no name was specified")
    return targets


def _targets_from_files(env: Env, paths: list[str]) -> list[Target]:
    targets: list[Target] = []
    for source, text in read_sources(paths, env.stdin):
        try:
            objs = manifests.load_objects(source, text, check=False)
        except ManifestError as exc:
            raise KubectlError(str(exc)) from exc
        for obj in objs:
            kind = resolve_kind(str(obj.get("kind", "")))
            target = Target(kind, [str(obj["metadata"]["name"])])
            target.source = source
            target.namespace = obj["metadata"].get("namespace")
            targets.append(target)
    return targets


def _select(env: Env, p: Parsed, targets: list[Target]) -> tuple[list[Obj], list[str]]:
    objs: list[Obj] = []
    errors: list[str] = []
    ignore = p.flag("ignore-not-found")
    namespace = None if p.flag("all-namespaces") else env.namespace
    for target in targets:
        if not target.names:
            listed = env.list(target.kind, namespace, selector_of(p.text("selector")))
            fields = parse_fields(target.kind, p.text("field-selector"), p.text("selector"))
            objs.extend(o for o in listed if fields is None or fields(o))
            continue
        ns = (target.namespace or env.namespace) if is_namespaced(target.kind) else ""
        for name in target.names:
            obj = env.cluster.store.get(target.kind, ns, name)
            if obj is not None:
                objs.append(obj)
            elif not ignore:
                text = not_found_text(target.kind, name)
                if target.source:
                    where = f'error when deleting "{target.source}": '
                    text = text.replace("): ", f"): {where}", 1)
                errors.append(text)
    return objs, errors


def _delete_one(env: Env, obj: Obj, grace: int, cascade: str, name_only: bool) -> None:
    kind, md = obj["kind"], obj["metadata"]
    ns = md.get("namespace", "")
    env.cluster.delete(
        kind,
        ns,
        md["name"],
        force=grace == 0,
        grace_period=None if grace < 0 else grace,
        cascade=cascade,
    )
    if name_only:
        env.out(f"{qualified_singular(kind)}/{md['name']}\n")
        return
    verb = "force deleted" if grace == 0 else "deleted"
    where = f" from {ns} namespace" if is_namespaced(kind) else ""
    env.out(f'{qualified_singular(kind)} "{md["name"]}" {verb}{where}\n')


APPLY = Command("apply", APPLY_FLAGS, run_apply)
DELETE = Command("delete", DELETE_FLAGS, run_delete)
