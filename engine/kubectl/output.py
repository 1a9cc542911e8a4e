"""``-o yaml|json|name|jsonpath=…``: kubectl's generic printers.

kubectl reads objects as unstructured maps, so both YAML and JSON come out with keys sorted.
YAML is :mod:`engine.yaml_out` (sigs.k8s.io/yaml's go-yaml v2 rules). JSON is indented by 4
spaces.
Several objects (or a list request) print as a ``kind: List`` wrapper.

The jsonpath subset: ``{.a.b}``, ``{.items[*].metadata.name}``, ``{.items[0].x}``,
``{range .items[*]}…{end}``, quoted literals ``{"\\n"}`` and plain text between templates.
Missing keys print nothing (kubectl's ``--allow-missing-template-keys`` default).
"""

from __future__ import annotations

import json
import re
from typing import Any

from engine import yaml_out
from engine.kubectl.parse import error
from engine.kubectl.resources import qualified_singular
from engine.objects import Obj


def to_yaml(value: Any) -> str:
    """YAML text as ``kubectl get -o yaml`` prints it (go-yaml v2 rules, :mod:`yaml_out`)."""
    return yaml_out.dump(value)


def to_json(value: Any) -> str:
    """JSON text as ``kubectl get -o json`` prints it (4-space indent, sorted keys)."""
    text = json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False)
    # Go's encoder escapes HTML-sensitive characters inside strings
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text + "\n"


def as_list(objs: list[Obj]) -> Obj:
    """The ``kind: List`` wrapper kubectl prints around several objects."""
    return {
        "apiVersion": "v1",
        "items": list(objs),
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }


def name_line(obj: Obj) -> str:
    """``-o name``: ``pod/web-0``, ``statefulset.apps/web``."""
    return f"{qualified_singular(obj['kind'])}/{obj['metadata']['name']}\n"


# -- jsonpath ------------------------------------------------------------------------------
_TOKEN = re.compile(r"\{([^{}]*)\}")


def jsonpath(template: str, data: Any) -> str:
    """Evaluate a kubectl jsonpath template against ``data``."""
    nodes = _parse_template(template)
    out: list[str] = []
    _run(nodes, data, data, out)
    return "".join(out)


def _parse_template(template: str) -> list[Any]:
    """Nodes: ("text", s) | ("expr", path) | ("range", path, children)."""
    problem = _syntax_problem(template)
    if problem:
        raise error(f"error parsing jsonpath {template}, {problem}")
    stack: list[list[Any]] = [[]]
    paths: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(template):
        if m.start() > pos:
            stack[-1].append(("text", template[pos : m.start()]))
        pos = m.end()
        inner = m.group(1).strip()
        if inner.startswith("range") and inner[5:6] in (" ", ".", "@", "$"):
            paths.append(inner[5:].strip())
            stack.append([])
        elif inner == "end":
            if len(stack) == 1:
                raise error(f"error parsing jsonpath {template}, not in range, nothing to end")
            body = stack.pop()
            stack[-1].append(("range", paths.pop(), body))
        elif inner[:1] in ("'", '"') and inner[-1:] == inner[:1] and len(inner) >= 2:
            stack[-1].append(("text", _unescape(inner[1:-1])))
        else:
            stack[-1].append(("expr", inner))
    if pos < len(template):
        stack[-1].append(("text", template[pos:]))
    if len(stack) != 1:
        raise error(f"error parsing jsonpath {template}, unclosed range")
    return stack[0]


#: inside an action, what a bracket or quote must end with, and the error when it does not
_SPANS = {"[": ("]", "unterminated array"), '"': ('"', "unterminated quoted string")}
_SPANS["'"] = ("'", "unterminated quoted string")


def _syntax_problem(template: str) -> str | None:
    """The structural error client-go's jsonpath parser stops at, if any: an action (``{``)
    never closed, a ``[`` without its ``]``, a quote without its pair (the parser reads
    arrays and quotes whole, so a ``}`` inside them does not close the action)."""
    pos = 0
    while (start := template.find("{", pos)) >= 0:
        pos = start + 1
        while True:
            if pos >= len(template) or template[pos] in "\r\n":
                return "unclosed action"
            char = template[pos]
            if char == "}":
                pos += 1
                break
            if char in _SPANS:
                closer, problem = _SPANS[char]
                if template.startswith("[?(", pos):
                    closer, problem = ")]", "unterminated filter"
                end = template.find(closer, pos + 1)
                newline = min(
                    (i for i in (template.find(c, pos) for c in "\r\n") if i >= 0),
                    default=len(template),
                )
                if end < 0 or end > newline:
                    return problem
                pos = end + len(closer)
                continue
            pos += 1
    return None


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")


def _run(nodes: list[Any], root: Any, cur: Any, out: list[str]) -> None:
    for node in nodes:
        if node[0] == "text":
            out.append(node[1])
        elif node[0] == "expr":
            values = _eval(node[1], root, cur)
            out.append(" ".join(_render(v) for v in values))
        else:
            for item in _eval(node[1], root, cur):
                _run(node[2], root, item, out)


def _render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


_STEP = re.compile(r"\.([^.\[\]]+)|\[(\*|-?\d+)\]|\.\.")


def first_value(path: str, data: Any) -> Any:
    """The first value a jsonpath expression (without braces) finds, or None."""
    values = _eval(path, data, data)
    return values[0] if values else None


def _eval(path: str, root: Any, cur: Any) -> list[Any]:
    path = path.strip()
    if path in ("", "@"):
        return [cur]
    if path.startswith("$"):
        values, path = [root], path[1:]
    else:
        values = [cur]
        path = path[1:] if path.startswith("@") else path
    pos = 0
    for m in _STEP.finditer(path):
        if m.start() != pos:
            raise error(f"error parsing jsonpath {{{path}}}: unrecognized character")
        pos = m.end()
        values = _step(values, m.group(1), m.group(2))
    if pos != len(path):
        raise error(f"error parsing jsonpath {{{path}}}: unrecognized character")
    return values


def _step(values: list[Any], key: str | None, index: str | None) -> list[Any]:
    result: list[Any] = []
    for v in values:
        if key is not None:
            if isinstance(v, dict) and key in v:
                result.append(v[key])
        elif index == "*":
            if isinstance(v, list):
                result.extend(v)
            elif isinstance(v, dict):
                result.extend(v[k] for k in sorted(v))
        elif index is not None and isinstance(v, list):
            i = int(index)
            if -len(v) <= i < len(v):
                result.append(v[i])
    return result
