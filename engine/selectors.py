"""Label selectors: the ``matchLabels``/``matchExpressions`` form and kubectl's ``-l`` string."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Matcher = Callable[[Mapping[str, str]], bool]


class SelectorError(ValueError):
    """A selector that cannot be parsed."""


def match_everything(labels: Mapping[str, str]) -> bool:
    """The empty selector matches every object."""
    return True


def match_nothing(labels: Mapping[str, str]) -> bool:
    """A nil selector (Services without one) matches nothing."""
    return False


def _requirement(key: str, op: str, values: list[str]) -> Matcher:
    vals = set(values)
    if op == "In":
        return lambda labels: key in labels and labels[key] in vals
    if op == "NotIn":
        return lambda labels: key not in labels or labels[key] not in vals
    if op == "Exists":
        return lambda labels: key in labels
    if op == "DoesNotExist":
        return lambda labels: key not in labels
    raise SelectorError(f"{op!r} is not a valid label selector operator")


def from_label_selector(selector: Mapping[str, Any] | None) -> Matcher:
    """Matcher for a LabelSelector (``{matchLabels: …, matchExpressions: […]}``)."""
    if selector is None:
        return match_nothing
    reqs: list[Matcher] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        reqs.append(_requirement(str(key), "In", [str(value)]))
    for expr in selector.get("matchExpressions") or []:
        reqs.append(
            _requirement(
                str(expr["key"]), str(expr["operator"]), [str(v) for v in expr.get("values") or []]
            )
        )
    if not reqs:
        return match_everything
    return lambda labels: all(r(labels) for r in reqs)


def from_map(selector: Mapping[str, str] | None) -> Matcher:
    """Matcher for a Service/ReplicationController style ``{key: value}`` map.

    A missing or empty map selects nothing (a Service without a selector has no endpoints).
    """
    if not selector:
        return match_nothing
    items = [(str(k), str(v)) for k, v in selector.items()]
    return lambda labels: all(labels.get(k) == v for k, v in items)


_TOKEN = re.compile(
    r"\s*(?:(?P<not>!)\s*(?P<nkey>[\w./-]+)"
    r"|(?P<key>[\w./-]+)\s*(?:(?P<op>==|!=|=|\s+in\s+|\s+notin\s+)\s*"
    r"(?:\((?P<set>[^)]*)\)|(?P<val>[\w./-]*)))?)\s*(?:,|$)"
)


def parse(text: str) -> Matcher:
    """Parse kubectl's ``-l`` syntax: ``app=nginx,tier!=db,env in (a,b),!legacy,role``."""
    text = text.strip()
    if not text:
        return match_everything
    reqs: list[Matcher] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SelectorError(f"unable to parse requirement: {text[pos:]!r}")
        pos = m.end()
        if m.group("not"):
            reqs.append(_requirement(m.group("nkey"), "DoesNotExist", []))
            continue
        key, op = m.group("key"), (m.group("op") or "").strip()
        if not op:
            reqs.append(_requirement(key, "Exists", []))
        elif op in ("=", "=="):
            reqs.append(_requirement(key, "In", [m.group("val") or ""]))
        elif op == "!=":
            reqs.append(_requirement(key, "NotIn", [m.group("val") or ""]))
        else:
            if m.group("set") is None:
                raise SelectorError(f"unable to parse requirement: values for {key!r} need (…)")
            values = [v.strip() for v in m.group("set").split(",") if v.strip()]
            reqs.append(_requirement(key, "In" if op == "in" else "NotIn", values))
    return lambda labels: all(r(labels) for r in reqs)


def format_map(selector: Mapping[str, str] | None) -> str:
    """``app=nginx,tier=web`` (kubectl's SELECTOR column); ``<none>`` when empty."""
    if not selector:
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))


def format_label_selector(selector: Mapping[str, Any] | None) -> str:
    """kubectl's rendering of a LabelSelector (``app=nginx``, ``env in (a,b)``)."""
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op, key = expr["operator"], expr["key"]
        vals = ",".join(sorted(expr.get("values") or []))
        if op == "In":
            parts.append(f"{key} in ({vals})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({vals})")
        elif op == "Exists":
            parts.append(key)
        else:
            parts.append(f"!{key}")
    return ",".join(parts) if parts else "<none>"
