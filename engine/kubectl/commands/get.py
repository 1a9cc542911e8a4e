"""``kubectl get``: tables (per-kind printers + tabwriter), ``-o wide|yaml|json|name|jsonpath``.

Follows pkg/cmd/get/get.go: objects of one kind form one table with its own alignment; several
kinds print as separate tables divided by a blank line, with ``kind/name`` in the NAME column
when more than one kind was found; errors (NotFound) are collected and printed after the
output; an empty result prints ``No resources found in <ns> namespace.`` on stderr.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.kubectl import output, tables, tabwriter
from engine.kubectl.commands.watch import run_watch
from engine.kubectl.env import Command, Env, selector_of
from engine.kubectl.fields import parse_fields
from engine.kubectl.gosort import go_sort, value_less
from engine.kubectl.parse import Flag, KubectlError, Parsed, error, help_error
from engine.kubectl.resources import Target, parse_targets, qualified_singular
from engine.objects import Obj, is_namespaced, labels_of

FLAGS = (
    Flag("output", "str", "o", ""),
    Flag("selector", "str", "l", ""),
    Flag("all-namespaces", "bool", "A"),
    Flag("show-labels", "bool"),
    Flag("watch", "bool", "w"),
    Flag("watch-only", "bool"),
    Flag("no-headers", "bool"),
    Flag("ignore-not-found", "bool"),
    Flag("filename", "strs", "f"),
    Flag("sort-by", "str", default=""),
    Flag("request-timeout", "str", default=""),
    Flag("field-selector", "str", default=""),
    Flag("label-columns", "strs", "L"),
)

ENDPOINTS_WARNING = (
    "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n"
)
_FORMATS = (
    "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,"
    "jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
)


def check_output_format(value: str) -> None:
    """Reject ``-o`` values we (and kubectl) cannot print."""
    base = value.split("=", 1)[0]
    if value in ("", "wide", "yaml", "json", "name") or base in ("jsonpath", "custom-columns"):
        if base == "jsonpath" and "=" not in value:
            raise error("template format specified but no template given")
        if base == "custom-columns" and "=" not in value:
            raise error("custom-columns format specified but no custom columns given")
        return
    if base in ("go-template", "template", "jsonpath-as-json"):
        raise error(f'the output format "{base}" is not supported in the playground')
    raise error(
        f'unable to match a printer suitable for the output format "{value}", '
        f"allowed formats are: {_FORMATS}"
    )


def run(env: Env, p: Parsed) -> None:
    """Entry point."""
    _validate(p)
    targets = parse_targets(p.args, allow_all=True)
    if p.flag("watch") or p.flag("watch-only"):
        run_watch(env, p, targets)
        return
    if p.text("selector") and any(t.names for t in targets):
        raise error("name cannot be provided when a selector is specified")
    if any(t.kind == "Endpoints" for t in targets):
        env.err(ENDPOINTS_WARNING)
    found, errors = collect(env, targets, p.text("selector"), p.flag("all-namespaces"))
    if p.text("field-selector"):
        found = [(kind, [o for o in objs if _fields(kind, p)(o)]) for kind, objs in found]
    if p.text("sort-by"):
        found = [(kind, sort_objects(objs, p.text("sort-by"))) for kind, objs in found]
    if p.flag("ignore-not-found"):
        errors = []
    _print(env, p, targets, found, errors)
    if errors:
        raise KubectlError("".join(errors))


def _validate(p: Parsed) -> None:
    fmt = p.text("output")
    if p.flags["filename"]:
        raise error("get -f is not supported in the playground; name the resources instead")
    if not p.args:
        raise KubectlError(
            'You must specify the type of resource to get. Use "kubectl api-resources" for a '
            "complete list of supported resources.\n\n"
            + help_error(
                "get",
                "Required resource not specified.\n"
                'Use "kubectl explain <resource>" for a detailed description of that resource '
                "(e.g. kubectl explain pods).",
            ).text
        )
    check_output_format(fmt)
    if p.flag("show-labels") and fmt not in ("", "wide"):
        raise error(f"--show-labels option cannot be used with {fmt.split('=')[0]} printer")


def _print(
    env: Env,
    p: Parsed,
    targets: list[Target],
    found: list[tuple[str, list[Obj]]],
    errors: list[str],
) -> None:
    fmt = p.text("output")
    objs = [o for _, kind_objs in found for o in kind_objs]
    if fmt.startswith("custom-columns="):
        env.out(custom_columns(fmt.split("=", 1)[1], objs, p.flag("no-headers")))
    elif fmt in ("", "wide"):
        _print_tables(env, p, found)
        if not objs and not errors and not p.flag("ignore-not-found"):
            where = "" if p.flag("all-namespaces") else f" in {env.namespace} namespace"
            env.err(f"No resources found{where}.\n")
    else:
        single = len(targets) == 1 and len(targets[0].names) == 1
        if single and errors:
            raise KubectlError(errors[0])
        _print_generic(env, fmt, objs, single)


def _field(expr: str) -> str:
    expr = expr.strip()
    if expr.startswith("{") and expr.endswith("}"):
        return expr
    return "{" + (expr if expr.startswith(".") else "." + expr) + "}"


def sort_objects(objs: list[Obj], field: str) -> list[Obj]:
    """``--sort-by``: kubectl's RuntimeSort — Go's (unstable) sort.Sort on the first value the
    field's jsonpath finds, compared like kubectl's ``isLess``."""
    expr = _field(field)[1:-1]
    keyed = [(output.first_value(expr, obj), obj) for obj in objs]
    go_sort(keyed, lambda x, y: value_less(x[0], y[0]))
    return [obj for _, obj in keyed]


def custom_columns(spec: str, objs: list[Obj], no_headers: bool) -> str:
    """``-o custom-columns=HEADER:.field,…``; missing values print ``<none>``."""
    columns: list[tuple[str, str]] = []
    for part in spec.split(","):
        header, sep, expr = part.partition(":")
        if not sep or not expr:
            raise error(
                f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
            )
        columns.append((header, _field(expr)))
    rows = [] if no_headers else [[h for h, _ in columns]]
    for obj in objs:
        cells = []
        for _, template in columns:
            value = output.jsonpath(template, obj).replace(" ", ",")
            cells.append(value or "<none>")
        rows.append(cells)
    return tabwriter.table(rows) if rows else ""


def _fields(kind: str, p: Parsed) -> Callable[[Obj], bool]:
    matcher = parse_fields(kind, p.text("field-selector"), p.text("selector"))
    return matcher or (lambda obj: True)


def collect(
    env: Env, targets: list[Target], selector_text: str, all_ns: bool
) -> tuple[list[tuple[str, list[Obj]]], list[str]]:
    """Objects per kind (in request order) and the NotFound messages."""
    selector = selector_of(selector_text)
    namespace = None if all_ns else env.namespace
    found: list[tuple[str, list[Obj]]] = []
    errors: list[str] = []
    for target in targets:
        if not target.names:
            found.append((target.kind, env.list(target.kind, namespace, selector)))
            continue
        objs: list[Obj] = []
        for name in target.names:
            try:
                objs.append(env.must_get(target.kind, name))
            except KubectlError as exc:
                errors.append(exc.text)
        found.append((target.kind, objs))
    return found, errors


def _print_tables(env: Env, p: Parsed, found: list[tuple[str, list[Obj]]]) -> None:
    wide = p.text("output") == "wide"
    kinds_found = {kind for kind, objs in found if objs}
    with_kind = len(kinds_found) > 1
    blocks: list[str] = []
    for kind, objs in found:
        if not objs:
            continue
        with_ns = p.flag("all-namespaces") and is_namespaced(kind)
        rows: list[list[str]] = []
        label_columns: list[str] = p.flags["label-columns"]
        if not p.flag("no-headers"):
            header = _header(kind, wide, with_ns, False)
            header += [key.rsplit("/", 1)[-1].upper() for key in label_columns]
            rows.append(header + (["LABELS"] if p.flag("show-labels") else []))
        for obj in objs:
            row = _row(env, kind, obj, wide, with_ns, with_kind, False)
            row += [labels_of(obj).get(key, "") for key in label_columns]
            rows.append(row + ([tables.labels_cell(obj)] if p.flag("show-labels") else []))
        blocks.append(tabwriter.table(rows))
    sep = "" if p.flag("no-headers") else "\n"
    env.out(sep.join(blocks))


def _header(kind: str, wide: bool, with_ns: bool, show_labels: bool) -> list[str]:
    cols = tables.headers(kind, wide)
    if with_ns:
        cols = ["NAMESPACE", *cols]
    if show_labels:
        cols.append("LABELS")
    return cols


def _row(
    env: Env, kind: str, obj: Obj, wide: bool, with_ns: bool, with_kind: bool, labels: bool
) -> list[str]:
    cells = tables.row(kind, obj, env.ctx, wide)
    if with_kind and kind != "Event":
        cells[0] = f"{qualified_singular(kind)}/{cells[0]}"
    if with_ns:
        cells = [obj["metadata"].get("namespace", ""), *cells]
    if labels:
        cells.append(tables.labels_cell(obj))
    return cells


def _print_generic(env: Env, fmt: str, objs: list[Obj], single: bool) -> None:
    if fmt == "name":
        env.out("".join(output.name_line(o) for o in objs))
        return
    data: Obj = objs[0] if single and objs else output.as_list(objs)
    if fmt == "yaml":
        env.out(output.to_yaml(data))
    elif fmt == "json":
        env.out(output.to_json(data))
    else:
        env.out(output.jsonpath(fmt.split("=", 1)[1], data))


COMMAND = Command("get", FLAGS, run)
