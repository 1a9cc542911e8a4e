"""Helpers for the command-language tests: the seed's objects, made ready without a kubelet."""

from __future__ import annotations

from pathlib import Path

import yaml

from engine.cluster import Cluster
from engine.kubectl import run
from engine.result import CommandResult
from tests.helpers import set_pod_status

WEB_YAML = Path(__file__).resolve().parents[2] / "demos" / "manifests" / "web.yaml"


def create_web(cluster: Cluster, replicas: int = 2, **spec: object) -> None:
    """Create the seed's nginx Service and web StatefulSet straight in the store."""
    for doc in yaml.safe_load_all(WEB_YAML.read_text()):
        if doc["kind"] == "StatefulSet":
            doc["spec"]["replicas"] = replicas
            doc["spec"].update(spec)
        cluster.store.create(doc)
    cluster.drain()


def make_ready(cluster: Cluster, count: int, namespace: str = "default") -> None:
    """Let the StatefulSet create ``count`` pods, each made Running and Ready by hand."""
    for i in range(count):
        cluster.drain()
        set_pod_status(
            cluster, namespace, f"web-{i}", ip=f"10.244.{i + 1}.{10 + i}", node=f"worker-{i + 1}"
        )


def ok(cluster: Cluster, line: str, namespace: str = "default") -> str:
    """Run ``line``; assert success and no stderr; return stdout."""
    result = run(cluster, line, namespace)
    assert result.code == 0, result.text
    assert result.stderr == "", result.stderr
    return result.stdout


def fails(cluster: Cluster, line: str, code: int = 1) -> CommandResult:
    """Run ``line``; assert it failed with ``code``."""
    result = run(cluster, line)
    assert result.code == code, result.text
    return result
