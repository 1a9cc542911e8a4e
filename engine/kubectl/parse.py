"""Command-line parsing the way kubectl (cobra + pflag) does it, with kubectl's error texts.

A command declares its flags as :class:`Flag` values; :func:`parse_args` walks the words like
pflag: ``--name=value``, ``--name value``, ``-n value``, ``-nvalue``, ``-n=value``, grouped
boolean shorthands (``-it``), ``--flag=false`` for booleans, flags interspersed with arguments,
and ``--`` ending flag parsing (the rest goes to :attr:`Parsed.dash_args`, as for ``exec``).

Errors are raised as :class:`KubectlError` carrying the exact stderr text kubectl prints:
pflag's ``Error: unknown flag: --foo`` + ``See 'kubectl get --help' for usage.``, or a command's
``error: …`` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

FlagKind = Literal["bool", "str", "int", "strs"]


class KubectlError(Exception):
    """A failed command: ``text`` is what goes to stderr (newline-terminated), ``code`` the
    exit status."""

    def __init__(self, text: str, code: int = 1) -> None:
        super().__init__(text)
        self.text = text if text.endswith("\n") else text + "\n"
        self.code = code


def error(message: str) -> KubectlError:
    """kubectl's plain ``error: <message>``."""
    return KubectlError(f"error: {message}\n")


def usage_error(command: str, message: str) -> KubectlError:
    """pflag/cobra's flag error: ``Error: …`` then ``See 'kubectl <cmd> --help' for usage.``"""
    return KubectlError(f"Error: {message}\nSee 'kubectl {command} --help' for usage.\n")


def help_error(command: str, message: str) -> KubectlError:
    """cmdutil.UsageErrorf: ``error: …`` then ``See 'kubectl <cmd> -h' for help and examples``."""
    return KubectlError(f"error: {message}\nSee 'kubectl {command} -h' for help and examples\n")


@dataclass(frozen=True)
class Flag:
    """One command-line flag."""

    name: str
    kind: FlagKind = "str"
    short: str = ""
    default: Any = None

    @property
    def label(self) -> str:
        """pflag's ``-n, --namespace`` / ``--replicas`` spelling used in error messages."""
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"


#: Flags every command accepts (kubectl's global flags that matter here).
GLOBAL_FLAGS = (Flag("namespace", "str", "n"),)


@dataclass
class Parsed:
    """The result of parsing one command's words."""

    flags: dict[str, Any]
    args: list[str]
    dash_args: list[str] | None = None
    given: set[str] = field(default_factory=set)

    def text(self, name: str) -> str:
        """A string flag's value ("" when unset)."""
        value = self.flags.get(name)
        return "" if value is None else str(value)

    def flag(self, name: str) -> bool:
        """A boolean flag's value."""
        return bool(self.flags.get(name))


_INT = re.compile(r"^[+-]?\d+$")
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def parse_args(words: list[str], flags: tuple[Flag, ...], command: str) -> Parsed:
    """Parse ``words`` (after the command name) against ``flags`` plus the global flags."""
    specs = flags + GLOBAL_FLAGS
    by_name = {f.name: f for f in specs}
    by_short = {f.short: f for f in specs if f.short}
    parsed = Parsed({f.name: _default(f) for f in specs}, [])
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            parsed.dash_args = words[i:]
            break
        if word.startswith("--") and len(word) > 2:
            i = _long(word, words, i, by_name, parsed, command)
        elif word.startswith("-") and len(word) > 1:
            i = _shorts(word, words, i, by_short, parsed, command)
        else:
            parsed.args.append(word)
    return parsed


def _default(flag: Flag) -> Any:
    if flag.kind == "strs":
        return list(flag.default or [])
    if flag.kind == "bool":
        return bool(flag.default)
    return flag.default


def _long(
    word: str, words: list[str], i: int, by_name: dict[str, Flag], parsed: Parsed, command: str
) -> int:
    name, eq, value = word[2:].partition("=")
    spec = by_name.get(name)
    if spec is None:
        raise usage_error(command, f"unknown flag: --{name}")
    if eq:
        _set(spec, value, parsed, command)
    elif spec.kind == "bool":
        _set(spec, "true", parsed, command)
    elif i < len(words):
        _set(spec, words[i], parsed, command)
        i += 1
    else:
        raise usage_error(command, f"flag needs an argument: --{name}")
    return i


def _shorts(
    word: str, words: list[str], i: int, by_short: dict[str, Flag], parsed: Parsed, command: str
) -> int:
    rest = word[1:]
    while rest:
        letter, rest = rest[0], rest[1:]
        spec = by_short.get(letter)
        if spec is None:
            raise usage_error(command, f"unknown shorthand flag: {letter!r} in {word}")
        if rest.startswith("="):
            _set(spec, rest[1:], parsed, command)
            return i
        if spec.kind == "bool":
            _set(spec, "true", parsed, command)
            continue
        if rest:
            _set(spec, rest, parsed, command)
            return i
        if i < len(words):
            _set(spec, words[i], parsed, command)
            return i + 1
        raise usage_error(command, f"flag needs an argument: {letter!r} in {word}")
    return i


def _set(spec: Flag, value: str, parsed: Parsed, command: str) -> None:
    parsed.given.add(spec.name)
    if spec.kind == "bool":
        if value in _TRUE:
            parsed.flags[spec.name] = True
        elif value in _FALSE:
            parsed.flags[spec.name] = False
        else:
            raise usage_error(
                command,
                f'invalid argument "{value}" for "{spec.label}" flag: strconv.ParseBool: '
                f'parsing "{value}": invalid syntax',
            )
    elif spec.kind == "int":
        if not _INT.match(value):
            raise usage_error(
                command,
                f'invalid argument "{value}" for "{spec.label}" flag: strconv.ParseInt: '
                f'parsing "{value}": invalid syntax',
            )
        if not -(2**63) <= int(value) < 2**63:  # Go's int is 64 bits
            raise usage_error(
                command,
                f'invalid argument "{value}" for "{spec.label}" flag: strconv.ParseInt: '
                f'parsing "{value}": value out of range',
            )
        parsed.flags[spec.name] = int(value)
    elif spec.kind == "strs":
        parsed.flags[spec.name].extend(v for v in value.split(",") if v)
    else:
        parsed.flags[spec.name] = value


def parse_duration(text: str) -> float | None:
    """Go's ``time.ParseDuration`` subset: ``5s``, ``2m``, ``1.5s``, ``1m30s``, ``500ms``,
    ``1h``; a bare number is seconds. None when ``text`` is not a duration."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    total = 0.0
    pos = 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * units[m.group(2)]
        pos = m.end()
    return total if pos == len(text) and pos > 0 else None
