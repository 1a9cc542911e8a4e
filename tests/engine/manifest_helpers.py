"""Shared manifests and checks for the manifest tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.cluster import Cluster
from engine.manifests import ManifestError, apply

WEB = Path("demos/manifests/web.yaml").read_text()

STS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
"""

SVC = """\
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
  selector:
    app: nginx
  ports:
  - port: 80
    name: web
"""


def snapshot(cluster: Cluster) -> tuple[int, list[tuple[str, str, str, str]]]:
    """Store state to compare before/after a rejected apply."""
    objs = [
        (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"],
         o["metadata"]["resourceVersion"])
        for o in cluster.store.all_objects()
    ]  # fmt: skip
    return cluster.store.resource_version, sorted(objs)


def rejected(cluster: Cluster, text: str, source: str = "x.yaml", **kw: Any) -> str:
    """Apply ``text``, expect a ManifestError, check the store did not change; the message."""
    before = snapshot(cluster)
    with pytest.raises(ManifestError) as exc:
        apply(cluster, source, text, **kw)
    assert snapshot(cluster) == before
    return str(exc.value)
