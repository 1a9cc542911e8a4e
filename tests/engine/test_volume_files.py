"""Simulated files seen from inside pods."""

from __future__ import annotations

from typing import Any

import pytest

from engine.cluster import Cluster
from engine.image_fs import NGINX_INDEX
from engine.objects import Obj, copy_obj
from engine.store import NotFound
from engine.volume_files import (
    ContainerNotFound,
    FsError,
    list_dir,
    make_dir,
    read_file,
    write_file,
)
from tests.engine.fake_kubelet import isolated_cluster
from tests.helpers import set_pod_status

HTML = "/usr/share/nginx/html"


@pytest.fixture
def cluster() -> Cluster:
    """Controllers under test without the node side (pods get status from the test)."""
    return isolated_cluster()


def make_pod(name: str, volumes: list[dict[str, Any]], mounts: list[dict[str, Any]]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "hostname": name,
            "subdomain": "nginx",
            "containers": [
                {
                    "name": "nginx",
                    "image": "registry.k8s.io/nginx-slim:0.21",
                    "volumeMounts": mounts,
                },
                {"name": "sidecar", "image": "busybox:1.36"},
            ],
            "volumes": volumes,
        },
    }


def claim_pod(name: str, claim: str) -> Obj:
    return make_pod(
        name,
        [{"name": "www", "persistentVolumeClaim": {"claimName": claim}}],
        [{"name": "www", "mountPath": HTML}],
    )


def create_claim(cluster: Cluster, name: str) -> None:
    cluster.store.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    )
    cluster.settle()


def recreate(cluster: Cluster, pod: Obj) -> None:
    cluster.store.remove("Pod", "default", pod["metadata"]["name"])
    cluster.drain()
    cluster.store.create(pod)
    cluster.drain()


def test_file_survives_pod_recreation_through_its_claim(cluster: Cluster) -> None:
    create_claim(cluster, "www-web-0")
    pod = claim_pod("web-0", "www-web-0")
    cluster.store.create(pod)
    write_file(cluster, "default", "web-0", f"{HTML}/index.html", "web-0\n")
    write_file(cluster, "default", "web-0", "/tmp/scratch", "temp\n")
    recreate(cluster, pod)
    assert read_file(cluster, "default", "web-0", f"{HTML}/index.html") == "web-0\n"
    with pytest.raises(FsError, match=r"^cat: can't open '/tmp/scratch': No such file"):
        read_file(cluster, "default", "web-0", "/tmp/scratch")
    pv = cluster.store.must_get("PersistentVolumeClaim", "default", "www-web-0")["spec"][
        "volumeName"
    ]
    assert cluster.volume_data[pv] == {"index.html": "web-0\n"}


def test_append_and_overwrite(cluster: Cluster) -> None:
    create_claim(cluster, "c")
    cluster.store.create(claim_pod("p", "c"))
    write_file(cluster, "default", "p", f"{HTML}/log", "a\n")
    write_file(cluster, "default", "p", f"{HTML}/log", "b\n", append=True)
    assert read_file(cluster, "default", "p", f"{HTML}/../html/log") == "a\nb\n"
    write_file(cluster, "default", "p", f"{HTML}/log", "c\n")
    assert read_file(cluster, "default", "p", f"{HTML}/log") == "c\n"


def test_mounted_volume_hides_image_content(cluster: Cluster) -> None:
    create_claim(cluster, "c")
    cluster.store.create(claim_pod("mounted", "c"))
    cluster.store.create(make_pod("plain", [], []))
    assert list_dir(cluster, "default", "mounted", HTML) == []
    assert list_dir(cluster, "default", "plain", HTML) == ["50x.html", "index.html"]
    assert read_file(cluster, "default", "plain", f"{HTML}/index.html") == NGINX_INDEX
    assert "nginx" in list_dir(cluster, "default", "mounted", "/usr/share")


def test_container_layer_lost_on_restart(cluster: Cluster) -> None:
    cluster.store.create(make_pod("p", [], []))
    set_pod_status(cluster, "default", "p", node="worker-1", ip="10.244.1.9")
    write_file(cluster, "default", "p", "/root/notes", "x")
    assert read_file(cluster, "default", "p", "/root/notes") == "x"
    pod = copy_obj(cluster.store.must_get("Pod", "default", "p"))
    pod["status"]["containerStatuses"][0]["restartCount"] = 1
    cluster.store.update(pod)
    with pytest.raises(FsError, match="No such file"):
        read_file(cluster, "default", "p", "/root/notes")
    # the sidecar has its own layer
    write_file(cluster, "default", "p", "/root/notes", "side", container="sidecar")
    assert list_dir(cluster, "default", "p", "/root") == []


def test_empty_dir_lives_with_the_pod(cluster: Cluster) -> None:
    pod = make_pod(
        "p", [{"name": "cache", "emptyDir": {}}], [{"name": "cache", "mountPath": "/cache"}]
    )
    cluster.store.create(pod)
    write_file(cluster, "default", "p", "/cache/a", "1")
    assert list_dir(cluster, "default", "p", "/cache") == ["a"]
    assert "cache" in list_dir(cluster, "default", "p", "/")
    recreate(cluster, pod)
    assert list_dir(cluster, "default", "p", "/cache") == []
    assert cluster.empty_dir_data == {
        "{}/cache".format(cluster.store.must_get("Pod", "default", "p")["metadata"]["uid"]): {}
    }


def test_busybox_errors(cluster: Cluster) -> None:
    cluster.store.create(make_pod("p", [], []))
    with pytest.raises(FsError) as err:
        write_file(cluster, "default", "p", "/nope/x", "1")
    assert str(err.value) == "sh: can't create /nope/x: nonexistent directory"
    with pytest.raises(FsError) as err:
        write_file(cluster, "default", "p", "/tmp", "1")
    assert str(err.value) == "sh: can't create /tmp: Is a directory"
    with pytest.raises(FsError) as err:
        list_dir(cluster, "default", "p", "/x")
    assert str(err.value) == "ls: /x: No such file or directory"
    with pytest.raises(FsError) as err:
        read_file(cluster, "default", "p", "/x")
    assert str(err.value) == "cat: can't open '/x': No such file or directory"
    with pytest.raises(FsError) as err:
        read_file(cluster, "default", "p", "/etc")
    assert str(err.value) == "cat: read error: Is a directory"
    assert list_dir(cluster, "default", "p", "/etc/passwd") == ["/etc/passwd"]
    with pytest.raises(FsError, match=r"^cat: can't open '/etc/passwd/x': Not a directory$"):
        read_file(cluster, "default", "p", "/etc/passwd/x")
    with pytest.raises(FsError, match=r"^sh: can't create /etc/passwd/x: nonexistent directory$"):
        write_file(cluster, "default", "p", "/etc/passwd/x", "1")
    with pytest.raises(ContainerNotFound, match="container nope is not valid for pod p"):
        read_file(cluster, "default", "p", "/x", container="nope")
    with pytest.raises(NotFound):
        read_file(cluster, "default", "ghost", "/x")


def test_mkdir_and_read_only_mounts(cluster: Cluster) -> None:
    create_claim(cluster, "c")
    pod = make_pod(
        "p",
        [{"name": "www", "persistentVolumeClaim": {"claimName": "c"}}],
        [
            {"name": "www", "mountPath": "/data"},
            {"name": "www", "mountPath": "/ro", "readOnly": True},
        ],
    )
    cluster.store.create(pod)
    make_dir(cluster, "default", "p", "/data/sub")
    write_file(cluster, "default", "p", "/data/sub/f", "v")
    assert list_dir(cluster, "default", "p", "/ro") == ["sub"]
    assert read_file(cluster, "default", "p", "/ro/sub/f") == "v"
    with pytest.raises(FsError, match="Read-only file system"):
        write_file(cluster, "default", "p", "/ro/g", "v")
    with pytest.raises(FsError, match="File exists"):
        make_dir(cluster, "default", "p", "/data/sub")


def test_sub_path_mount(cluster: Cluster) -> None:
    create_claim(cluster, "c")
    pod = make_pod(
        "p",
        [{"name": "www", "persistentVolumeClaim": {"claimName": "c"}}],
        [
            {"name": "www", "mountPath": "/data"},
            {"name": "www", "mountPath": "/site", "subPath": "html"},
        ],
    )
    cluster.store.create(pod)
    make_dir(cluster, "default", "p", "/data/html")
    write_file(cluster, "default", "p", "/site/index.html", "sub")
    assert read_file(cluster, "default", "p", "/data/html/index.html") == "sub"


def test_etc_hosts_and_hostname(cluster: Cluster) -> None:
    cluster.store.create(make_pod("web-0", [], []))
    set_pod_status(cluster, "default", "web-0", node="worker-1", ip="10.244.1.10")
    assert read_file(cluster, "default", "web-0", "/etc/hostname") == "web-0\n"
    hosts = read_file(cluster, "default", "web-0", "/etc/hosts")
    assert hosts.startswith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n")
    assert hosts.endswith("10.244.1.10\tweb-0.nginx.default.svc.cluster.local\tweb-0\n")
    assert read_file(cluster, "default", "web-0", "/etc/resolv.conf") == (
        "search default.svc.cluster.local svc.cluster.local cluster.local\n"
        "nameserver 10.96.0.10\noptions ndots:5\n"
    )
    assert {"hosts", "hostname", "resolv.conf", "nginx"} <= set(
        list_dir(cluster, "default", "web-0", "/etc")
    )
