"""A read-only Kubernetes API over a playground store, on 127.0.0.1, for comparing our output
with the real ``kubectl`` binary's (describe, ``-o yaml|json|jsonpath``, events …).

It serves legacy discovery (``/api``, ``/apis``, resource lists), GET of one object, LIST with
``labelSelector`` and ``fieldSelector`` (``=``, ``==``, ``!=`` on dotted paths), and the API's
NotFound Status. Nothing is written.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from engine.cluster import Cluster
from engine.kubectl import tables
from engine.kubectl.env import api_order
from engine.kubectl.resources import ALL_CATEGORY, qualified_plural, short_names
from engine.kubectl.table_ctx import Ctx
from engine.objects import KINDS, Obj, get_path, labels_of
from engine.selectors import parse as parse_labels

ENDPOINTS_DEPRECATED = "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"


def _group_version(kind: str) -> str:
    return KINDS[kind][0]


def _resources(group_version: str) -> list[dict[str, Any]]:
    return [
        {
            "name": plural,
            "singularName": kind.lower(),
            "namespaced": namespaced,
            "kind": kind,
            "verbs": ["get", "list", "watch"],
            "shortNames": list(short_names(kind)),
            "categories": ["all"] if kind in ALL_CATEGORY else [],
        }
        for kind, (gv, plural, namespaced) in sorted(KINDS.items(), key=lambda kv: kv[1][1])
        if gv == group_version
    ]  # the API server lists resources alphabetically


def _discovery(path: str) -> Any:
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
    if path == "/apis":
        groups = sorted({gv for gv, _, _ in KINDS.values() if "/" in gv})
        return {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [
                {
                    "name": gv.split("/")[0],
                    "versions": [{"groupVersion": gv, "version": gv.split("/")[1]}],
                    "preferredVersion": {"groupVersion": gv, "version": gv.split("/")[1]},
                }
                for gv in groups
            ],
        }
    if path == "/version":
        return {"major": "1", "minor": "35", "gitVersion": "v1.35.0"}
    gv = path.removeprefix("/api/").removeprefix("/apis/")
    if gv in {v for v, _, _ in KINDS.values()}:
        return {"kind": "APIResourceList", "groupVersion": gv, "resources": _resources(gv)}
    return None


def _route(path: str) -> tuple[str, str | None, str | None] | None:
    """(kind, namespace, name) for an object or collection path."""
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"]:
        gv, rest = "v1", parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        gv, rest = f"{parts[1]}/{parts[2]}", parts[3:]
    else:
        return None
    namespace = None
    if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
        namespace, rest = rest[1], rest[2:]
    for kind, (kind_gv, plural, _) in KINDS.items():
        if kind_gv == gv and rest and rest[0] == plural:
            return kind, namespace, rest[1] if len(rest) > 1 else None
    if rest[:1] == ["namespaces"]:
        return "Namespace", None, rest[1] if len(rest) > 1 else None
    return None


def _fields(text: str) -> list[tuple[str, bool, str]]:
    terms = []
    for part in filter(None, text.split(",")):
        if "!=" in part:
            key, value = part.split("!=", 1)
            terms.append((key, False, value))
        else:
            key, value = part.replace("==", "=").split("=", 1)
            terms.append((key, True, value))
    return terms


class _Handler(BaseHTTPRequestHandler):
    cluster: Cluster

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, code: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        if re.search(r"/endpoints(/|\?|$)", self.path):
            self.send_header("Warning", f'299 - "{ENDPOINTS_DEPRECATED}"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        found = _discovery(url.path)
        if found is not None:
            self._send(200, found)
            return
        special = self._special(url.path)
        if special is not None:
            self._send(200, special)
            return
        route = _route(url.path)
        if route is None:
            self._send(
                404,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "status": "Failure",
                    "reason": "NotFound",
                    "code": 404,
                    "message": "not found",
                },
            )
            return
        kind, namespace, name = route
        as_table = "as=Table" in (self.headers.get("Accept") or "")
        if name is None:
            query = parse_qs(url.query)
            listed = self._list(kind, namespace, query)
            full = (query.get("includeObject") or [""])[0] == "Object"
            self._send(200, self._table(kind, listed["items"], full) if as_table else listed)
            return
        obj = self.cluster.store.get(kind, namespace or "", name)
        if obj is None:
            plural = qualified_plural(kind)
            self._send(
                404,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": f'{plural} "{name}" not found',
                    "reason": "NotFound",
                    "details": {"name": name, "kind": plural},
                    "code": 404,
                },
            )
            return
        full = "includeObject=Object" in (url.query or "")
        self._send(200, self._table(kind, [obj], full) if as_table else obj)

    def _table(self, kind: str, objs: list[Obj], full: bool = False) -> Obj:
        """The server-side printing response (meta.k8s.io/v1 Table), cells from
        :mod:`engine.kubectl.tables` with every column, the wide ones at priority 1."""
        names = tables.headers(kind, True)
        normal = set(tables.headers(kind, False))
        ctx = Ctx(self.cluster.clock)
        return {
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": str(self.cluster.store.resource_version)},
            "columnDefinitions": [
                {
                    "name": n,
                    "type": "string",
                    "format": "name" if n == "NAME" else "",
                    "description": "",
                    "priority": 0 if n in normal else 1,
                }
                for n in names
            ],
            "rows": [
                {
                    "cells": tables.row(kind, obj, ctx, True),
                    "object": obj
                    if full
                    else {
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": obj["metadata"],
                    },
                }
                for obj in objs
            ],
        }

    def _special(self, path: str) -> Obj | None:
        """Node leases (kube-node-lease) and the empty quota/limit-range lists describe reads."""
        lease = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/"
        if path.startswith(lease):
            node = path.removeprefix(lease)
            if self.cluster.store.get("Node", "", node) is None:
                return None
            renew = self.cluster.clock.wall().strftime("%Y-%m-%dT%H:%M:%S.000000Z")
            return {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": node, "namespace": "kube-node-lease"},
                "spec": {"holderIdentity": node, "renewTime": renew},
            }
        for resource, kind in (
            ("resourcequotas", "ResourceQuotaList"),
            ("limitranges", "LimitRangeList"),
        ):
            if path.startswith("/api/v1/namespaces/") and path.endswith("/" + resource):
                return {"kind": kind, "apiVersion": "v1", "metadata": {}, "items": []}
        return None

    def _list(self, kind: str, namespace: str | None, query: dict[str, list[str]]) -> Obj:
        objs = self.cluster.store.list(kind, namespace)
        labels = (query.get("labelSelector") or [""])[0]
        if labels:
            matcher = parse_labels(labels)
            objs = [o for o in objs if matcher(labels_of(o))]
        for key, equal, value in _fields((query.get("fieldSelector") or [""])[0]):
            objs = [o for o in objs if (str(get_path(o, key) or "") == value) == equal]
        objs.sort(key=api_order)
        return {
            "kind": f"{kind}List",
            "apiVersion": _group_version(kind),
            "metadata": {"resourceVersion": str(self.cluster.store.resource_version)},
            "items": objs,
        }


@contextmanager
def serve(cluster: Cluster) -> Iterator[str]:
    """Serve ``cluster`` read-only; yields the server URL."""
    handler = type("Handler", (_Handler,), {"cluster": cluster})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
