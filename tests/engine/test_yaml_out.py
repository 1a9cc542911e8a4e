"""``kubectl get -o yaml`` output: key order, quoting, block styles, round trips."""

from __future__ import annotations

from functools import cmp_to_key
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.manifests import apply, load_objects
from engine.yaml_in import parse_documents
from engine.yaml_out import dump, go_key_less, list_to_yaml, needs_quotes, to_yaml

SVC = """\
apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  clusterIP: None
  selector:
    app: nginx
  ports:
  - port: 80
    name: web
"""


def test_service_as_kubectl_prints_it(cluster: Cluster) -> None:
    apply(cluster, "svc.yaml", SVC)
    svc = cluster.get("Service", "default", "nginx")
    assert svc is not None
    uid, rv = svc["metadata"]["uid"], svc["metadata"]["resourceVersion"]
    assert (
        to_yaml(svc)
        == f"""\
apiVersion: v1
kind: Service
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {{"apiVersion":"v1","kind":"Service","metadata":{{"annotations":{{}},"labels":{{"app":"nginx"}},"name":"nginx","namespace":"default"}},"spec":{{"clusterIP":"None","ports":[{{"name":"web","port":80}}],"selector":{{"app":"nginx"}}}}}}
  creationTimestamp: "2026-07-06T10:00:00Z"
  labels:
    app: nginx
  name: nginx
  namespace: default
  resourceVersion: "{rv}"
  uid: {uid}
spec:
  clusterIP: None
  clusterIPs:
  - None
  internalTrafficPolicy: Cluster
  ipFamilies:
  - IPv4
  ipFamilyPolicy: SingleStack
  ports:
  - name: web
    port: 80
    protocol: TCP
    targetPort: 80
  selector:
    app: nginx
  sessionAffinity: None
  type: ClusterIP
status:
  loadBalancer: {{}}
"""
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("80", '"80"'),
        ("0755", '"0755"'),
        ("1.5", '"1.5"'),
        ("1e3", '"1e3"'),
        ("true", '"true"'),
        ("True", '"True"'),
        ("yes", '"yes"'),
        ("off", '"off"'),
        ("null", '"null"'),
        ("~", '"~"'),
        ("", '""'),
        ("2026-07-06T10:00:05Z", '"2026-07-06T10:00:05Z"'),
        ("2026-07-06", '"2026-07-06"'),
        ("2026-07-06 10:00:05", '"2026-07-06 10:00:05"'),
        ("2026-07-06T10:00:05", "2026-07-06T10:00:05"),
        ("1:20", '"1:20"'),
        ("10.96.0.10", "10.96.0.10"),
        ("1Gi", "1Gi"),
        ("500m", "500m"),
        ("v1.35", "v1.35"),
        ("nginx", "nginx"),
        ("*", "'*'"),
        ("- item", "'- item'"),
        ("a: b", "'a: b'"),
        ("# note", "'# note'"),
        ("it's", "it's"),
        ("/usr/share/nginx/html", "/usr/share/nginx/html"),
    ],
)
def test_string_quoting(value: str, text: str) -> None:
    assert dump({"k": value}) == f"k: {text}\n"


def test_scalars_and_empty_collections() -> None:
    assert dump({"a": 1, "b": True, "c": None, "d": {}, "e": [], "f": 0.5}) == (
        "a: 1\nb: true\nc: null\nd: {}\ne: []\nf: 0.5\n"
    )


def test_multiline_strings_use_literal_blocks() -> None:
    assert dump({"script": "echo hi\nsleep 1\n"}) == "script: |\n  echo hi\n  sleep 1\n"
    assert dump({"script": "echo hi\nsleep 1"}) == "script: |-\n  echo hi\n  sleep 1\n"


def test_long_plain_strings_fold_at_80_columns() -> None:
    text = dump({"args": ["word " * 20 + "end"]})
    assert text == (
        "args:\n- word word word word word word word word word word word word word word word "
        "word\n  word word word word end\n"
    )


def test_key_order_is_go_yaml_natural_order() -> None:
    keys = ["b", "a10", "a2", "A", "a", "a-b", "ab", "a.b", "_x", "1", "10", "9"]

    def cmp(x: str, y: str) -> int:
        return -1 if go_key_less(x, y) else 1 if go_key_less(y, x) else 0

    assert sorted(keys, key=cmp_to_key(cmp)) == [
        "_x", "1", "9", "10", "A", "a", "a-b", "a.b", "a2", "a10", "ab", "b",
    ]  # fmt: skip


def test_sequences_are_not_indented_under_their_key() -> None:
    assert dump({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}]}}) == (
        "spec:\n  containers:\n  - name: a\n    ports:\n    - containerPort: 80\n"
    )


def test_list_wrapper() -> None:
    objs = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}]
    assert list_to_yaml(objs) == (
        "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n"
        'kind: List\nmetadata:\n  resourceVersion: ""\n'
    )
    assert (
        list_to_yaml([])
        == 'apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n'
    )


def test_needs_quotes_agrees_with_the_parser() -> None:
    for text in ("80", "true", "1.0", "null", "2026-01-02", "abc", "10.0.0.1", "1Gi"):
        parsed = parse_documents("t", f"k: {text}\n")[0].value["k"]
        assert needs_quotes(text) == (not isinstance(parsed, str) or text == "2026-01-02")


def test_stored_object_round_trips(cluster: Cluster) -> None:
    apply(cluster, "web.yaml", Path("demos/manifests/web.yaml").read_text())
    for kind, name in (("Service", "nginx"), ("StatefulSet", "web")):
        obj = cluster.get(kind, "default", name)
        assert obj is not None
        assert parse_documents("out.yaml", to_yaml(obj))[0].value == obj
        assert load_objects("out.yaml", to_yaml(obj)) == [obj]


# printable text (NEL, U+0085, is a YAML line break and not a character manifests carry)
_text = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f\x85"),
    max_size=40,
)
_json: Any = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_text, _json, min_size=1, max_size=5))
def test_any_json_value_round_trips(value: dict[str, Any]) -> None:
    assert parse_documents("t", dump(value))[0].value == value
