"""YAML in: multi-document manifests to JSON-like values, keeping the line of every field.

kubectl reads manifests with sigs.k8s.io/yaml (go-yaml v2 underneath) and converts them to JSON.
This module gives the same values from PyYAML's *safe* composer: it composes the node tree (so
every node keeps its start mark) and constructs the values itself, which lets it

* record the 1-based line of every field path (``("spec", "replicas")`` → 14) so errors can say
  where the offending field is;
* resolve scalars the way go-yaml v2 does (timestamps stay strings, no base-60 integers);
* reject duplicate keys (``key "replicas" already set in map``) and alias explosions ("billion
  laughs") before they cost time or memory;
* refuse documents nested deeper than :data:`MAX_DEPTH` (go-yaml's ``exceeded max depth of
  10000``). The check runs in the scanner (flow ``[``/``{`` levels and block indentation levels,
  so ``[[[[…`` is refused at the first bracket too many, before PyYAML's simple-key look-ahead
  turns quadratic), in the composer (flow inside block) and in the builder (alias chains). The
  ceiling is lower than go-yaml's: PyYAML's composer and every later walk over the value
  recurse, and no real manifest comes near it.

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
#: Deepest nesting (collections inside collections) accepted; go-yaml allows 10000, but Python
#: recursion (PyYAML's composer, deep copies, validation) does not, and real manifests stay < 30.
MAX_DEPTH = 100
MANIFEST_SUFFIXES = (".json", ".yaml", ".yml")


class YAMLInputError(ValueError):
    """The text is not valid YAML (or cannot be read); ``line`` is 1-based when known, and
    ``document`` (1-based) is named when the problem is past the source's first document."""

    def __init__(
        self, source: str, message: str, line: int | None = None, document: int | None = None
    ) -> None:
        doc = f"document {document}" if document and document > 1 else ""
        where = ", ".join(part for part in (doc, f"line {line}" if line else "") if part)
        prefix = ": ".join(part for part in (source, where) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.source, self.detail, self.line, self.document = source, message, line, document

    def in_document(self, document: int) -> YAMLInputError:
        """The same error, naming ``document`` (when it is not the first)."""
        if document <= 1 or self.document:
            return self
        return YAMLInputError(self.source, self.detail, self.line, document)

    @property
    def problem(self) -> str:
        """The detail without kubectl's ``error converting YAML to JSON: yaml: `` (and the
        line, which :attr:`line` holds): for messages about the playground's own files."""
        text = self.detail.removeprefix("error converting YAML to JSON: ").removeprefix("yaml: ")
        if self.line is not None:
            text = text.removeprefix(f"line {self.line}: ")
        return text


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
    """A safe composer with go-yaml-like implicit typing and a nesting limit."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self.depth = 0

    def _too_deep(self, context: str) -> yaml.scanner.ScannerError:
        mark = self.get_mark()
        return yaml.scanner.ScannerError(context, mark, f"exceeded max depth of {MAX_DEPTH}", mark)

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        """``[`` or ``{``: refused beyond :data:`MAX_DEPTH` flow levels."""
        if self.flow_level >= MAX_DEPTH:
            raise self._too_deep("while increasing flow level")
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        """A deeper block level: refused beyond :data:`MAX_DEPTH` levels."""
        if len(self.indents) >= MAX_DEPTH and self.indent < column:
            raise self._too_deep("while increasing indent level")
        return bool(super().add_indent(column))

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """A node, refused beyond :data:`MAX_DEPTH` levels of flow and block together."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.get_mark()
                raise yaml.composer.ComposerError(
                    None, None, f"exceeded max depth of {MAX_DEPTH}", mark
                )
            node: Node | None = super().compose_node(parent, index)
            return node
        finally:
            self.depth -= 1


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
        if len(path) > MAX_DEPTH:  # alias chains nest without nesting in the text
            raise YAMLInputError(
                self.source,
                f"error converting YAML to JSON: yaml: exceeded max depth of {MAX_DEPTH}",
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
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as err:
        raise _reader_error(source, text, err) from None
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
    except YAMLInputError as err:  # the builder's, in the document just composed
        raise err.in_document(index) from None
    except (yaml.YAMLError, RecursionError) as err:  # composing the next document
        raise _yaml_error(source, text, err).in_document(index + 1) from None
    finally:
        loader.dispose()
    return docs


def _yaml_error(source: str, text: str, err: Exception) -> YAMLInputError:
    """A PyYAML failure in go-yaml's words, with its line."""
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        yaml_line = f"line {line}: " if line else ""
        detail = f"error converting YAML to JSON: yaml: {yaml_line}{_problem_text(err)}"
        return YAMLInputError(source, detail, line)
    if isinstance(err, yaml.reader.ReaderError):
        return _reader_error(source, text, err)
    if isinstance(err, RecursionError):  # a last resort: the depth checks come first
        return YAMLInputError(source, "error converting YAML to JSON: yaml: nested too deeply")
    return YAMLInputError(source, f"error converting YAML to JSON: yaml: {err}")


def _reader_error(source: str, text: str, err: yaml.reader.ReaderError) -> YAMLInputError:
    """go-yaml's reader wording for a character YAML does not allow, with its line."""
    position = err.position if isinstance(err.position, int) else 0
    line = text.count("\n", 0, position) + 1
    code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or " ")
    problem = (
        "invalid leading UTF-8 octet"  # undecodable bytes arrive as lone surrogates
        if 0xD800 <= code <= 0xDFFF
        else "control characters are not allowed"
    )
    return YAMLInputError(source, f"error converting YAML to JSON: yaml: {problem}", line)


def load_value(source: str, text: str) -> Any:
    """The value of the single YAML document in ``text`` (None when empty): ``yaml.safe_load``
    with this module's bounds (nesting depth, alias explosions, no crash on any input) and
    go-yaml's typing, for the playground's own files (scenarios, exercises, patches).

    Raises:
        YAMLInputError: invalid YAML, too deep, too many aliases, or several documents.
    """
    docs = parse_documents(source, text)
    if len(docs) > 1:
        raise YAMLInputError(source, "expected a single document in the stream", docs[1].start_line)
    return docs[0].value if docs else None


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
