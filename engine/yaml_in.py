"""YAML in: multi-document manifests to JSON-like values, keeping the line of every field.

kubectl reads manifests with sigs.k8s.io/yaml (go-yaml v2 underneath) and converts them to JSON.
This module gives the same values from PyYAML's *safe* composer: it composes the node tree (so
every node keeps its start mark) and constructs the values itself, which lets it

* record the 1-based line of every field path (``("spec", "replicas")`` → 14) so errors can say
  where the offending field is;
* resolve scalars the way go-yaml v2 does (timestamps stay strings, no base-60 integers);
* reject duplicate keys (``key "replicas" already set in map``) and alias explosions ("billion
  laughs") before they cost time or memory.

Sources are a file, or a directory of ``*.yaml``/``*.yml``/``*.json`` files in name order (like
``kubectl apply -f DIR``), or text with a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

FieldPath = tuple[str | int, ...]

#: Constructed nodes allowed per document; far above any real manifest, far below a bomb.
MAX_NODES = 100_000
MANIFEST_SUFFIXES = (".json", ".yaml", ".yml")


class YAMLInputError(ValueError):
    """The text is not valid YAML (or cannot be read); ``line`` is 1-based when known."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        where = f"{source}: line {line}: " if line else f"{source}: " if source else ""
        super().__init__(f"{where}{message}")
        self.source, self.detail, self.line = source, message, line


@dataclass
class Document:
    """One YAML document of a manifest source."""

    source: str
    #: 1-based position in its source's stream of documents
    index: int
    value: Any
    #: 1-based line per field path (mapping entries: the key's line; list items: the item's)
    lines: dict[FieldPath, int] = field(default_factory=dict)
    #: line of the document's first node
    start_line: int = 1

    def line_of(self, path: FieldPath) -> int:
        """The line of ``path``, or of its nearest ancestor that exists."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.start_line


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1 implicit types as go-yaml v2 resolves them (no sexagesimal numbers)."""


_Resolver.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$""", re.X
)
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    re.X,
)
for _key, _resolvers in _Resolver.yaml_implicit_resolvers.items():
    _Resolver.yaml_implicit_resolvers[_key] = [
        (tag, _INT if tag.endswith(":int") else _FLOAT if tag.endswith(":float") else rx)
        for tag, rx in _resolvers
    ]


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    """A safe composer with go-yaml-like implicit typing."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)


# go-yaml's wording for the problems PyYAML reports differently.
_PROBLEMS = (
    ("mapping values are not allowed here", "mapping values are not allowed in this context"),
    (
        "block sequence entries are not allowed here",
        "block sequence entries are not allowed in this context",
    ),
    ("expected <block end>, but found", "did not find expected key"),
    ("expected <block mapping end>", "did not find expected key"),
    ("that cannot start any token", "found character that cannot start any token"),
    ("could not find expected ':'", "could not find expected ':'"),
    ("found undefined alias", "unknown anchor referenced"),
)


def _problem_text(err: yaml.MarkedYAMLError) -> str:
    problem = err.problem or err.context or "invalid YAML"
    for needle, wording in _PROBLEMS:
        if needle in problem:
            return wording
    return problem


class _Builder:
    """Turns one composed node tree into plain values, recording lines."""

    def __init__(self, loader: _Loader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines: dict[FieldPath, int] = {}
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: Node, path: FieldPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YAMLInputError(
                self.source,
                "error converting YAML to JSON: yaml: document contains excessive aliasing",
                node.start_mark.line + 1,
            )
        if id(node) in self.active:
            raise YAMLInputError(
                self.source,
                "error converting YAML to JSON: yaml: anchor value contains itself",
                node.start_mark.line + 1,
            )
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                out = []
                for i, item in enumerate(node.value):
                    self.lines[(*path, i)] = item.start_mark.line + 1
                    out.append(self.build(item, (*path, i)))
                return out
            assert isinstance(node, MappingNode)
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any]:
        self.loader.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YAMLInputError(
                    self.source,
                    "error converting YAML to JSON: yaml: invalid map key: a mapping or list "
                    "cannot be a key",
                    key_node.start_mark.line + 1,
                )
            key = self._key(key_node)
            line = key_node.start_mark.line + 1
            if key in out:
                raise YAMLInputError(
                    self.source,
                    f"error converting YAML to JSON: yaml: unmarshal errors:\n  line {line}: "
                    f'key "{key}" already set in map',
                    line,
                )
            self.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key))
        return out

    def _key(self, node: ScalarNode) -> str:
        value = self._scalar(node)
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
            return node.value
        if tag == "tag:yaml.org,2002:binary":
            return node.value.replace("\n", "")
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            return node.value


def parse_documents(source: str, text: str) -> list[Document]:
    """Parse every document of ``text``; empty documents are skipped.

    Raises:
        YAMLInputError: invalid YAML (with its line), duplicate keys, alias explosions.
    """
    try:
        return _parse(source, text)
    except YAMLInputError:
        # JSON indented with tabs: YAML forbids tabs as indentation, JSON allows them as
        # whitespace, and a valid JSON document has no raw tab inside a string.
        if "\t" in text and text.lstrip()[:1] in ("{", "["):
            return _parse(source, text.replace("\t", " "))
        raise


def _parse(source: str, text: str) -> list[Document]:
    loader = _Loader(text)
    docs: list[Document] = []
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            index += 1
            if node is None or (
                isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"
            ):
                continue
            builder = _Builder(loader, source)
            value = builder.build(node, ())
            docs.append(Document(source, index, value, builder.lines, node.start_mark.line + 1))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        yaml_line = f"line {line}: " if line else ""
        raise YAMLInputError(
            source,
            f"error converting YAML to JSON: yaml: {yaml_line}{_problem_text(err)}",
            line,
        ) from None
    except yaml.YAMLError as err:
        raise YAMLInputError(source, f"error converting YAML to JSON: yaml: {err}") from None
    finally:
        loader.dispose()
    return docs


def read_sources(path: str) -> list[tuple[str, str]]:
    """(name, text) of a manifest file, or of every manifest file in a directory, name order.

    Raises:
        YAMLInputError: the path does not exist or cannot be read.
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(
            (f for f in p.iterdir() if f.is_file() and f.name.endswith(MANIFEST_SUFFIXES)),
            key=lambda f: f.name,
        )
        return [(str(p / f.name), _read(str(p / f.name))) for f in files]
    return [(path, _read(path))]


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YAMLInputError("", f'the path "{path}" does not exist') from None
    except (OSError, UnicodeDecodeError) as err:
        raise YAMLInputError(path, f"cannot read: {err}") from None
