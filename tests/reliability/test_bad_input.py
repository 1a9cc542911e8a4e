"""Bad input everywhere: every malformed manifest and command line of the corpus gets a clear
error, within bounded time and memory, and leaves the store exactly as it was.

The corpus lives in ``tests/reliability/corpus``: ``manifests/*.yaml`` (truncated, wrong types,
huge values, unicode, YAML bombs, deep nesting, binary) and ``commands.txt`` (one command line
per line). Inputs that still show a bug are listed in ``KNOWN_BUGS`` and run as strict xfails,
so a fix turns them into failures that ask for the entry to go.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import kubectl
from engine.cluster import Cluster
from engine.manifest_check import ManifestError
from engine.store import Invalid
from engine.yaml_in import MAX_DEPTH, YAMLInputError, parse_documents
from tests.reliability.workloads import busy_cluster

CORPUS = Path(__file__).parent / "corpus"
MANIFESTS = sorted((CORPUS / "manifests").glob("*.yaml"))
COMMANDS = [
    line
    for line in (CORPUS / "commands.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
#: CPU-time bound per input (CPU, not wall time: a loaded machine must not fail it) and peak
#: traced memory
TIME_BOUND = 10.0
MEMORY_BOUND = 64 * 1024 * 1024

#: inputs that still show a bug, as {file name: reason}; run as strict xfails (none left)
KNOWN_BUGS: dict[str, str] = {}


def fingerprint(cluster: Cluster) -> tuple[int, str]:
    """The store's resourceVersion and every object, serialised."""
    objects = sorted(
        cluster.store.all_objects(),
        key=lambda o: (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]),
    )
    return cluster.store.resource_version, json.dumps(objects, sort_keys=True)


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    """A busy cluster (two StatefulSets, a Deployment, their Services), settled."""
    c = busy_cluster(seed=11)
    c.advance(60)
    return c


def bounded(action: Callable[[], Any]) -> tuple[Any, float, int]:
    """Run ``action``; returns (its result or the exception it raised, CPU seconds, peak bytes)."""
    tracemalloc.start()
    start = time.process_time()
    try:
        outcome: Any = action()
    except Exception as exc:
        outcome = exc
    elapsed = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, elapsed, peak


#: inputs that ``kubectl apply -f -`` still gets wrong (the others it reports as errors)
KUBECTL_BUGS: set[str] = set()


def _manifest_params(bugs: Iterable[str] = KNOWN_BUGS) -> Iterator[Any]:
    for path in MANIFESTS:
        marks = []
        if path.name in bugs:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[path.name]))
        yield pytest.param(path, id=path.name, marks=marks)


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


@pytest.mark.parametrize("path", list(_manifest_params()))
def test_malformed_manifest_is_refused_cleanly(cluster: Cluster, path: Path) -> None:
    if path.name in KNOWN_BUGS:  # may change the store: keep the shared cluster clean
        cluster = busy_cluster(seed=11)
    before = fingerprint(cluster)
    outcome, elapsed, peak = bounded(lambda: cluster.apply(path.name, _read(path)))
    assert isinstance(outcome, ManifestError), f"{type(outcome).__name__}: {outcome}"
    assert str(outcome).startswith(path.name), str(outcome)
    assert elapsed < TIME_BOUND
    assert peak < MEMORY_BOUND
    assert fingerprint(cluster) == before


@pytest.mark.parametrize("path", list(_manifest_params(KUBECTL_BUGS)))
def test_malformed_manifest_through_kubectl(cluster: Cluster, path: Path) -> None:
    """``kubectl apply -f -`` never raises: a non-zero exit and a message on stderr."""
    if path.name in KNOWN_BUGS:
        cluster = busy_cluster(seed=11)
    before = fingerprint(cluster)
    result = kubectl.run(cluster, "apply -f -", stdin=_read(path))
    assert result.code != 0
    assert result.stderr.strip()
    assert fingerprint(cluster) == before


def test_long_line_manifest(cluster: Cluster) -> None:
    """A 500 kB value on one unterminated line (timed without tracing: PyYAML's pure-Python
    scanner is linear but slow under tracemalloc)."""
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: big}\nspec: {x: " + "x" * 500_000
    before = fingerprint(cluster)
    start = time.process_time()
    with pytest.raises(ManifestError, match=r"long\.yaml: line 4"):
        cluster.apply("long.yaml", text)
    assert time.process_time() - start < TIME_BOUND
    assert fingerprint(cluster) == before


@pytest.mark.parametrize("line", COMMANDS)
def test_malformed_command_fails_cleanly(cluster: Cluster, line: str) -> None:
    before = fingerprint(cluster)
    result, elapsed, peak = bounded(lambda: kubectl.run(cluster, line))
    assert not isinstance(result, Exception), repr(result)
    assert result.code != 0, result.text
    assert result.stderr.strip() or result.stdout.strip()
    assert elapsed < TIME_BOUND
    assert peak < MEMORY_BOUND
    assert fingerprint(cluster) == before


# -- bugs the corpus found, now fixed: the clear error each gets -----------------------------
def test_scale_intent_beyond_int32_is_refused_by_admission() -> None:
    c = busy_cluster(seed=3)
    before = fingerprint(c)
    with pytest.raises(
        Invalid,
        match=r"spec\.replicas: Invalid value: 2147483648: must be "
        r"between 0 and 2147483647, inclusive",
    ):
        c.scale("StatefulSet", "default", "web", 2**31)
    assert fingerprint(c) == before


def test_manifest_replicas_beyond_int32_names_the_go_field() -> None:
    c = busy_cluster(seed=3)
    before = fingerprint(c)
    with pytest.raises(ManifestError) as info:
        c.apply("huge.yaml", (CORPUS / "manifests" / "replicas-huge.yaml").read_text())
    assert str(info.value) == (
        'huge.yaml: document 1 (StatefulSet "fresh"), line 6: json: cannot unmarshal number '
        "99999999999999999999999999999999 into Go struct field StatefulSetSpec.spec.replicas "
        "of type int32"
    )
    assert fingerprint(c) == before


PATCH_ERRORS = {
    # strategic merge (the default): the unstructured converter's words, the patch as %+v
    """patch statefulset web -p '{"spec":{"replicas":"many"}}'""": (
        'The request is invalid: patch: Invalid value: "map[spec:map[replicas:many]]": '
        "unrecognized type: int32\n"
    ),
    """patch sts web -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","""
    """"image":5}]}}}}'""": (
        "The request is invalid: patch: Invalid value: "
        '"map[spec:map[template:map[spec:map[containers:[map[image:5 name:nginx]]]]]]": '
        "cannot convert int64 to string\n"
    ),
    """patch sts web -p '{"spec":{"selector":"app=web"}}'""": (
        'The request is invalid: patch: Invalid value: "map[spec:map[selector:app=web]]": '
        "cannot restore struct from: string\n"
    ),
    # any patch type: unknown fields (strict field validation)
    """patch sts web --type=merge -p '{"spec":{"replica":3}}'""": (
        'Error from server (BadRequest): strict decoding error: unknown field "spec.replica"\n'
    ),
    # after decoding, the same validation as apply
    """patch sts web -p '{"spec":{"replicas":-1}}'""": (
        'The StatefulSet "web" is invalid: spec.replicas: Invalid value: -1: must be greater '
        "than or equal to 0\n"
    ),
    """patch sts web -p '{"spec":{"serviceName":"other"}}'""": "Forbidden: updates to "
    "statefulset spec for fields other than",
}


def refused(line: str) -> str:
    """Run ``line`` on a busy cluster; it must fail and change nothing, and the cluster must
    still take a valid command afterwards. Returns its standard error."""
    c = busy_cluster(seed=3)
    before = fingerprint(c)
    result = kubectl.run(c, line)
    assert result.code != 0
    assert fingerprint(c) == before
    assert kubectl.run(c, "scale statefulset/web --replicas=2").code == 0
    return result.stderr


@pytest.mark.parametrize("line", sorted(PATCH_ERRORS))
def test_patch_is_decoded_and_validated_like_apply(line: str) -> None:
    stderr = refused(line)
    expected = PATCH_ERRORS[line]
    if expected.endswith("\n"):
        assert stderr == expected
    else:
        assert expected in stderr


#: command line → how its error starts and ends
REFUSED = {
    # a flag value beyond int64 is kubectl's flag error
    "scale statefulset/web --replicas=99999999999999999999": (
        'Error: invalid argument "99999999999999999999" for "--replicas" flag: '
        'strconv.ParseInt: parsing "99999999999999999999": value out of range\n',
        "",
    ),
    # beyond int32: the scale subresource's decoding error
    "scale statefulset/web --replicas=2147483648": (
        "The request is invalid: patch: Invalid value: ",
        "json: cannot unmarshal number 2147483648 into Go struct field "
        "ScaleSpec.spec.replicas of type int32\n",
    ),
    # a merge patch's type error names the Go field
    """patch sts web --type=merge -p '{"spec":{"replicas":"many"}}'""": (
        'The request is invalid: patch: Invalid value: "{\\"apiVersion',
        ": json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas "
        "of type int32\n",
    ),
    # a JSON patch of two objects writes neither when one fails
    """patch sts web par --type=json -p """
    """'[{"op":"replace","path":"/spec/replicas","value":"x"}]'""": ("", ""),
}


@pytest.mark.parametrize("line", sorted(REFUSED))
def test_refused_command_names_the_problem_and_changes_nothing(line: str) -> None:
    stderr = refused(line)
    head, tail = REFUSED[line]
    assert stderr.startswith(head)
    assert stderr.endswith(tail)


def test_valid_patch_still_patches() -> None:
    c = busy_cluster(seed=3)
    result = kubectl.run(c, """patch sts web -p '{"spec":{"replicas":3.0}}'""")
    assert result.stdout == "statefulset.apps/web patched\n", result.text
    assert c.store.must_get("StatefulSet", "default", "web")["spec"]["replicas"] == 3
    assert type(c.store.must_get("StatefulSet", "default", "web")["spec"]["replicas"]) is int


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{.items[", "unterminated array"),
        ("{.items", "unclosed action"),
        ("{.items[0]", "unclosed action"),
        ("{range .items[*]}{'x", "unterminated quoted string"),
        ("{.items[?(@.x==1}", "unterminated filter"),
    ],
)
def test_broken_jsonpath_is_a_parse_error(cluster: Cluster, template: str, problem: str) -> None:
    result = kubectl.run(cluster, f'get pods -o "jsonpath={template}"')
    assert result.code != 0
    assert result.stderr == f"error: error parsing jsonpath {template}, {problem}\n"


def test_unterminated_jsonpath_array_on_the_command_line(cluster: Cluster) -> None:
    result = kubectl.run(cluster, "get pods -o jsonpath={.items[")
    assert result.code != 0
    assert result.stderr == "error: error parsing jsonpath {.items[, unterminated array\n"


def test_well_formed_jsonpath_still_prints(cluster: Cluster) -> None:
    result = kubectl.run(
        cluster, "get pods -l app=web -o \"jsonpath={range .items[*]}{.metadata.name}{' '}{end}\""
    )
    names = sorted(p["metadata"]["name"] for p in cluster.store.list("Pod", "default"))
    expected = "".join(f"{n} " for n in names if n.startswith("web-"))
    assert len(expected) > len("web-0 ")
    assert (result.code, result.stdout) == (0, expected), result.text


# -- random command lines ------------------------------------------------------------------------
_WORD_LIST = [
    "get",
    "scale",
    "delete",
    "apply",
    "set",
    "image",
    "patch",
    "exec",
    "describe",
    "rollout",
    "wait",
    "nslookup",
    "dig",
    "host",
    "fault",
    "sleep",
    "pods",
    "pod",
    "statefulset/web",
    "sts",
    "web-0",
    "par-1",
    "svc",
    "-o",
    "yaml",
    "json",
    "wide",
    "-l",
    "app=web",
    "--replicas=2",
    "--replicas",
    "-n",
    "kube-system",
    "--force",
    "--grace-period=0",
    "--",
    "=",
    "'",
    '"',
    "{",
    "}",
    "[",
    "]",
    "|",
    "\\",
    "\x00",
    "é",
    "🙂",
    "-p",
    '{"spec":{}}',
    "--timeout=0s",
    "-f",
    "-",
    "--watch",
]
WORDS = st.sampled_from(_WORD_LIST)


@settings(max_examples=150, deadline=None, database=None)
@given(words=st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=8))
def test_random_command_lines_never_raise(words: list[str]) -> None:
    c = _shared()
    before = fingerprint(c)
    result = kubectl.run(c, " ".join(words))
    assert isinstance(result.code, int)
    if result.code != 0:
        assert fingerprint(c) == before, " ".join(words)


_SHARED: list[Cluster] = []


def _shared() -> Cluster:
    if not _SHARED:
        c = busy_cluster(seed=13)
        c.advance(60)
        _SHARED.append(c)
    return _SHARED[0]


# -- YAML limits ---------------------------------------------------------------------------------
def test_nul_byte_is_a_located_yaml_error() -> None:
    with pytest.raises(YAMLInputError) as info:
        parse_documents("x.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a\x00b}\n")
    assert str(info.value) == (
        "x.yaml: line 3: error converting YAML to JSON: yaml: control characters are not allowed"
    )


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 100_000 + "]" * 100_000,
        "{a: " * 100_000 + "1" + "}" * 100_000,
        "\n" + "".join(" " * i + "- \n" for i in range(1, 3000)),
        "\n" + "".join(" " * i + "k:\n" for i in range(1, 3000)),
    ],
    ids=["flow-list", "flow-map", "block-list", "block-map"],
)
def test_deep_nesting_is_refused_quickly(nested: str) -> None:
    start = time.process_time()
    with pytest.raises(YAMLInputError, match=f"exceeded max depth of {MAX_DEPTH}$"):
        parse_documents("deep.yaml", "spec: " + nested)
    assert time.process_time() - start < 2


def test_nesting_up_to_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH - 1  # the document's own mapping is the first level
    (doc,) = parse_documents("ok.yaml", "spec: " + "[" * depth + "]" * depth)
    value, levels = doc.value["spec"], 1
    while value:
        value, levels = value[0], levels + 1
    assert levels == depth


def test_alias_chain_deeper_than_the_limit_is_refused() -> None:
    text = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 300))
    with pytest.raises(YAMLInputError, match="exceeded max depth"):
        parse_documents("chain.yaml", text)


def test_mixed_block_and_flow_nesting_is_counted_together() -> None:
    text = "spec:\n" + "".join("  " * i + "k:\n" for i in range(1, 60))
    text += "  " * 60 + "v: " + "[" * 60 + "]" * 60 + "\n"
    with pytest.raises(YAMLInputError, match=r"^m\.yaml: line 61: .*exceeded max depth"):
        parse_documents("m.yaml", text)


@pytest.mark.parametrize(
    "patch",
    ['{"spec":' * 500 + "1" + "}" * 500, "spec: " + "[" * 500 + "]" * 500],
    ids=["json", "yaml"],
)
def test_deeply_nested_patch_is_refused(patch: str) -> None:
    c = busy_cluster(seed=3)
    before = fingerprint(c)
    start = time.process_time()
    result = kubectl.run(c, f"patch sts web -p '{patch}'")
    assert result.code != 0
    assert result.stderr.startswith('error: unable to parse "')
    assert f"yaml: {'line 1: ' if patch.startswith('spec') else ''}exceeded max depth of" in (
        result.stderr
    )
    assert time.process_time() - start < 2
    assert fingerprint(c) == before


def test_a_huge_command_line_is_refused_like_execve_does(cluster: Cluster) -> None:
    before = fingerprint(cluster)
    start = time.process_time()
    line = "patch sts web -p '" + '{"spec":' * 100_000 + "1" + "}" * 100_000 + "'"
    result = kubectl.run(cluster, line)
    assert time.process_time() - start < 1
    assert result.code == 126
    assert result.stderr == (
        "patch: Argument list too long (the line has 900,020 characters; at most 131,072)\n"
    )
    assert fingerprint(cluster) == before


def test_yaml_error_past_the_first_document_names_the_document() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n" + "spec: " + "[" * 200
    with pytest.raises(YAMLInputError) as info:
        parse_documents("two.yaml", text)
    assert str(info.value) == (
        "two.yaml: document 2, line 5: error converting YAML to JSON: yaml: line 5: "
        f"exceeded max depth of {MAX_DEPTH}"
    )
    text = "a: 1\n---\nb: 1\nb: 2\n"
    with pytest.raises(YAMLInputError, match=r'(?s)^two\.yaml: document 2, line 4: .*"b" already'):
        parse_documents("two.yaml", text)
