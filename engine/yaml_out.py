"""YAML out, byte for byte as ``kubectl get -o yaml`` prints it.

kubectl marshals the object to JSON and converts that to YAML with sigs.k8s.io/yaml, i.e.
go-yaml v2 marshalling a generic map. The visible consequences this module reproduces:

* mapping keys sorted with go-yaml's "natural" order (letters before other characters, digit
  runs compared as numbers: ``a2`` before ``a10``);
* block style, two-space indent, sequences not indented under their key;
* a string is written plain unless plain text would read back as something else (a number,
  bool, null, timestamp, base-60 number), then it is double-quoted (``"80"``, ``"true"``,
  ``""``, ``"2026-07-06T10:00:05Z"``); strings plain YAML cannot hold (leading ``*``, ``: ``
  inside…) are single-quoted by the emitter; multi-line strings use literal blocks (``|``);
* long plain strings are folded at 80 columns, as go-yaml v2 does.

PyYAML's emitter is a port of libyaml, as go-yaml's is, so scalar analysis and folding match;
only the style decision and key order are go-yaml's and implemented here.
"""

from __future__ import annotations

import re
from functools import cmp_to_key
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from engine.objects import Obj

_STR = "tag:yaml.org,2002:str"
_SPECIAL = {
    "~", "null", "Null", "NULL", "",
    "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
    "n", "N", "no", "No", "NO", "off", "Off", "OFF",
    "true", "True", "TRUE", "false", "False", "FALSE",
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
    "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
}  # fmt: skip
_INT = re.compile(r"^[-+]?(0b[01_]+|0o?[0-7_]*|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_CLOCK = r"[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]{1,9})?"
# go-yaml v2's layouts: 2006-1-2T15:4:5.999999999Z07:00 (also with "t"),
# "2006-1-2 15:4:5.999999999" (no zone) and 2006-1-2
_TIMESTAMP = re.compile(
    rf"^[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}"
    rf"(?:[Tt]{_CLOCK}(?:Z|[-+][0-9]{{2}}:[0-9]{{2}})| {_CLOCK})?$"
)


def needs_quotes(s: str) -> bool:
    """Whether go-yaml v2 double-quotes ``s`` because plain text would resolve to a non-string."""
    if s in _SPECIAL:
        return True
    numeric = s[:1] in "0123456789+-."
    if numeric and (_INT.match(s) or _FLOAT.match(s) or _TIMESTAMP.match(s)):
        return True
    return bool(_BASE60.match(s))


def go_key_less(a: str, b: str) -> bool:
    """go-yaml v2's ``keyList.Less`` for two string keys."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an = an * 10 + ord(a[ai]) - 48
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn = bn * 10 + ord(b[bi]) - 48
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _cmp(a: str, b: str) -> int:
    if go_key_less(a, b):
        return -1
    if go_key_less(b, a):
        return 1
    return 0


_KEY = cmp_to_key(_cmp)


def _scalar(value: Any) -> ScalarEvent:
    if value is None:
        return ScalarEvent(None, None, (True, True), "null")
    if isinstance(value, bool):
        return ScalarEvent(None, None, (True, True), "true" if value else "false")
    if isinstance(value, int):
        return ScalarEvent(None, None, (True, True), str(value))
    if isinstance(value, float):
        return ScalarEvent(None, None, (True, True), _float(value))
    s = str(value)
    style: str | None = None
    if "\n" in s:
        style = "|"
    elif needs_quotes(s):
        style = '"'
    return ScalarEvent(None, _STR, (True, True), s, style=style)


def _float(value: float) -> str:
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    return text.replace("e+", "e+").replace("e-0", "e-0")


def _events(value: Any, out: list[Event]) -> None:
    if isinstance(value, dict):
        out.append(MappingStartEvent(None, None, True, flow_style=not value))
        for key in sorted((str(k) for k in value), key=_KEY):
            out.append(_scalar(key))
            _events(value[key], out)
        out.append(MappingEndEvent())
    elif isinstance(value, list | tuple):
        out.append(SequenceStartEvent(None, None, True, flow_style=not value))
        for item in value:
            _events(item, out)
        out.append(SequenceEndEvent())
    else:
        out.append(_scalar(value))


def dump(value: Any) -> str:
    """Any JSON-like value as go-yaml v2 (via sigs.k8s.io/yaml) writes it."""
    events: list[Event] = [StreamStartEvent(), DocumentStartEvent(explicit=False)]
    _events(value, events)
    events += [DocumentEndEvent(explicit=False), StreamEndEvent()]
    return str(yaml.emit(events, allow_unicode=True, width=80, indent=2))


def to_yaml(obj: Obj) -> str:
    """One object exactly as ``kubectl get -o yaml`` prints it."""
    return dump(obj)


def list_to_yaml(objs: list[Obj]) -> str:
    """Several objects as kubectl's ``List`` wrapper (``kubectl get pods -o yaml``)."""
    return dump(
        {"apiVersion": "v1", "items": objs, "kind": "List", "metadata": {"resourceVersion": ""}}
    )
