"""The bare cluster every playground starts from.

Nodes ``worker-1`` … ``worker-N`` (pod CIDR ``10.244.N.0/24``, 110 pods each), the namespaces
``default``, ``kube-system``, ``kube-public`` and ``kube-node-lease``, the ``kubernetes``
Service (10.96.0.1) and ``kube-dns`` (10.96.0.10) as kubeadm creates them, and the
StorageClasses ``standard`` (default, Immediate, network-attached) and ``local``
(WaitForFirstConsumer, pinned to the node of first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.objects import Obj

if TYPE_CHECKING:
    from engine.cluster import Cluster

NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
PROVISIONER = "playground.local/network"
LOCAL_PROVISIONER = "playground.local/local"


def node_manifest(name: str, index: int, capacity: int = 110) -> Obj:
    """A Ready worker Node as kubeadm + kubelet would register it."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
            },
        },
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]},
        "status": {
            "capacity": {"cpu": "4", "memory": "8Gi", "pods": str(capacity)},
            "allocatable": {"cpu": "4", "memory": "8Gi", "pods": str(capacity)},
            "addresses": [
                {"type": "InternalIP", "address": f"172.18.0.{index + 2}"},
                {"type": "Hostname", "address": name},
            ],
            "conditions": [],
            "nodeInfo": {
                "kubeletVersion": "v1.35.0",
                "containerRuntimeVersion": "containerd://2.1.0",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "kernelVersion": "6.1.0-playground",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        },
    }


def _service(
    name: str,
    namespace: str,
    cluster_ip: str,
    ports: list[dict[str, Any]],
    selector: dict[str, str] | None,
    labels: dict[str, str],
) -> Obj:
    spec: dict[str, Any] = {
        "type": "ClusterIP",
        "clusterIP": cluster_ip,
        "clusterIPs": [cluster_ip],
        "ports": ports,
        "sessionAffinity": "None",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "internalTrafficPolicy": "Cluster",
    }
    if selector:
        spec["selector"] = selector
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": spec,
    }


def bare_objects(nodes: int, capacity: int = 110) -> list[Obj]:
    """Every object of the bare cluster, in creation order."""
    objs: list[Obj] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
        }
        for ns in NAMESPACES
    ]
    objs += [node_manifest(f"worker-{i}", i, capacity) for i in range(1, nodes + 1)]
    objs.append(
        _service(
            "kubernetes",
            "default",
            "10.96.0.1",
            [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            None,
            {"component": "apiserver", "provider": "kubernetes"},
        )
    )
    objs.append(
        _service(
            "kube-dns",
            "kube-system",
            "10.96.0.10",
            [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
            ],
            {"k8s-app": "kube-dns"},
            {
                "k8s-app": "kube-dns",
                "kubernetes.io/cluster-service": "true",
                "kubernetes.io/name": "CoreDNS",
            },
        )
    )
    objs.append(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": "standard",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            "provisioner": PROVISIONER,
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate",
            "allowVolumeExpansion": True,
        }
    )
    objs.append(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "local"},
            "provisioner": LOCAL_PROVISIONER,
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
        }
    )
    return objs


def install_bare_cluster(cluster: Cluster) -> None:
    """Create the bare cluster's objects in ``cluster``'s store."""
    for obj in bare_objects(cluster.config.nodes, cluster.config.node_capacity):
        cluster.store.create(obj)
