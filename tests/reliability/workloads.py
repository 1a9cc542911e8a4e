"""The cluster the property tests drive: two StatefulSets (one per pod management policy)
behind headless Services, and a Deployment behind a ClusterIP Service."""

from __future__ import annotations

from functools import cache

import yaml

from engine.cluster import Cluster
from engine.objects import Obj, copy_obj
from tests.worlds import deployment

IMAGES = ("nginx:1.27", "nginx:1.28", "nginx:1.29")


def statefulset(name: str, policy: str, replicas: int) -> str:
    """A headless Service ``name`` and the StatefulSet ``name`` it governs."""
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  clusterIP: None
  selector:
    app: {name}
  ports:
  - port: 80
    name: web
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}
spec:
  serviceName: {name}
  podManagementPolicy: {policy}
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: {IMAGES[0]}
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
"""


HELLO_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  selector:
    app: hello
  ports:
  - port: 80
"""
HELLO = deployment(
    2, IMAGES[0], name="hello", namespace=None, pod_spec={"terminationGracePeriodSeconds": 10}
)

#: workload kind and name → kubectl resource
WORKLOADS = {"web": "statefulset", "par": "statefulset", "hello": "deployment"}


@cache
def _documents() -> tuple[Obj, ...]:
    text = "---\n".join(
        [statefulset("web", "OrderedReady", 2), statefulset("par", "Parallel", 2), HELLO_SERVICE]
    )
    return (*(d for d in yaml.safe_load_all(text) if d), HELLO)


def busy_cluster(seed: int = 0, nodes: int = 3) -> Cluster:
    """A cluster running all three workloads, created but not yet settled.

    The documents are parsed once and created through the store (admission included), which
    keeps the hundreds of property-test examples fast; the manifest path has its own tests.
    """
    cluster = Cluster(seed=seed, nodes=nodes)
    for doc in _documents():
        cluster.store.create(copy_obj(doc))
    cluster.drain()
    return cluster
