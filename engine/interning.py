"""Sharing equal pieces among stored objects, to keep 10,000 pods in little memory.

Stored objects are read-only (see :mod:`engine.store`), so two of them may hold the *same*
dict where they hold equal ones. Most of a pod's small dicts are equal to another pod's: the
conditions of pods that started at the same simulated instant, ``{"protocol": "TCP", …}``
ports, tolerations, ``{"running": {"startedAt": …}}`` states, claims' ``accessModes``. The
:class:`Interner` replaces each *leaf* dict or list (one holding only strings, numbers,
booleans and None) of a freshly stored object by the first equal one it met — same keys in
the same order, same value types (``1`` and ``True`` stay apart) — so a kubectl YAML or JSON
rendering is unchanged.

It runs after admission, on what the store is about to keep, and skips every part that is
still the stored version's (already interned then). A container joins the table the second
time an equal one is met (the first sighting leaves only its hash), so the many unique ones
cost little. Table and hashes are bounded: when full they start afresh, which costs only
future sharing, never correctness.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_LEAVES = frozenset({str, int, float, bool, type(None)})
#: leaf containers larger than this are rarely equal to another: not worth a table entry
_MAX_ITEMS = 8
#: lists longer than this match the prior's elements anywhere, not position by position
_BY_POSITION = 8


class Interner:
    """A bounded table of canonical leaf dicts and lists."""

    def __init__(self, limit: int = 65536) -> None:
        self.limit = limit
        self._table: dict[tuple[Any, ...], Any] = {}
        #: hashes of keys met once: a container joins the table when it is met again, so
        #: the many unique ones (a pod's labels, its claim's name) cost only a hash
        self._seen: set[int] = set()

    def __len__(self) -> int:
        return len(self._table)

    def share(self, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        """Intern the leaf containers of ``obj`` (a dict the caller owns and is about to
        publish) in place, except those that are ``old``'s: ``obj`` itself and its
        ``metadata`` stay its own."""
        for key, value in obj.items():
            kind = type(value)
            if kind is not dict and kind is not list:
                continue
            prior = old.get(key) if old is not None else None
            if value is prior:
                continue
            if key == "metadata" and kind is dict:
                self._children(value, prior)
                continue
            shared = self._walk(value, prior)
            if shared is not value:
                obj[key] = shared

    def _walk(self, value: Any, prior: Any) -> Any:
        """``value`` with its leaf containers interned (the canonical one if it is a leaf)."""
        if type(value) is dict:
            values = value.values()
            types = tuple(map(type, values))
            if _LEAVES.issuperset(types):  # a leaf
                if len(value) <= _MAX_ITEMS:
                    return self._canonical(value, _dict_key(value, types), prior)
                return value
            self._children(value, prior)
            return value
        types = tuple(map(type, value))
        if _LEAVES.issuperset(types):  # a leaf
            if len(value) <= _MAX_ITEMS:
                return self._canonical(value, _list_key(value, types), prior)
            return value
        prior_list = prior if type(prior) is list else ()
        anywhere = {id(x) for x in prior_list} if len(prior_list) > _BY_POSITION else None
        for i, item in enumerate(value):
            kind = type(item)
            if kind is dict or kind is list:
                if anywhere is not None:
                    if id(item) in anywhere:
                        continue  # the stored version's element, moved
                    was = None
                else:
                    was = prior_list[i] if i < len(prior_list) else None
                if item is not was:
                    shared = self._walk(item, was)
                    if shared is not item:
                        value[i] = shared
        return value

    def _children(self, value: dict[str, Any], prior: Any) -> None:
        """Intern ``value``'s nested containers in place."""
        prior_dict = prior if type(prior) is dict else None
        for key, item in value.items():
            kind = type(item)
            if kind is dict or kind is list:
                was = prior_dict.get(key) if prior_dict is not None else None
                if item is not was:
                    shared = self._walk(item, was)
                    if shared is not item:
                        value[key] = shared

    def _canonical(self, value: Any, key: tuple[Any, ...], prior: Any) -> Any:
        """The container to keep for the leaf ``value`` (``key``: a tag, its keys and values
        or its elements, then their types, which keep ``1`` and ``True`` apart): the stored
        version's own ``prior`` when equal, else the table's equal one; ``value`` joins the
        table when met a second time."""
        if float in key:
            return value  # 0.0 and -0.0 are equal but print differently: not worth it
        if type(prior) is type(value) and prior == value:
            prior_key = _dict_key(prior) if type(prior) is dict else _list_key(prior)
            if prior_key == key:
                return prior  # unchanged since the stored version
        found = self._table.get(key)
        if found is not None:
            return found
        digest = hash(key)
        if digest not in self._seen:
            if len(self._seen) >= self.limit:
                self._seen.clear()
            self._seen.add(digest)
            return value
        if len(self._table) >= self.limit:
            self._table.clear()
        self._table[key] = value
        return value


def _dict_key(value: dict[str, Any], types: Iterable[type] | None = None) -> tuple[Any, ...]:
    values = value.values()
    return ("d", *value, *values, *(map(type, values) if types is None else types))


def _list_key(value: list[Any], types: Iterable[type] | None = None) -> tuple[Any, ...]:
    return ("l", *value, *(map(type, value) if types is None else types))
