"""The command language: a kubectl subset, nslookup/dig/host, sleep and the fault verbs.

One line in, one :class:`~engine.result.CommandResult` out (ordered stdout/stderr chunks and an
exit status), shared by the TUI command bar, ``stsplay script``, demos and exercises.

Words are split like a POSIX shell (:mod:`shlex`; ``#`` starting a word begins a comment).
kubectl commands may be written with the ``kubectl`` or ``k`` prefix or without it (``get
pods`` = ``kubectl get pods``). Implemented: get (tables, ``-o wide|yaml|json|name|jsonpath|
custom-columns``, ``-l``, ``--field-selector``, ``-L``, ``--show-labels``, ``--sort-by``,
``-w --request-timeout``), describe, events, logs, apply/create/delete, scale, patch, set image,
label, annotate, rollout status|history|undo|restart|pause|resume, wait, cordon/uncordon/drain,
exec, run, api-resources, version, cluster-info, top; ``--help`` for each. The playground's own
commands are ``nslookup``, ``dig``, ``host`` (from a client pod in the current namespace),
``sleep DURATION`` and ``fault readiness POD fail|pass | crash POD | node NODE down|up``.
Errors print kubectl's own texts and leave the cluster unchanged.

Time: before and after every command the controllers react (``cluster.drain()``); simulated
time passes only through ``sleep``, ``wait``, ``delete`` (which waits for the objects to go, as
kubectl does), ``drain``, ``rollout status``, ``run --rm`` and ``get -w``. On a cluster driven
by a real clock (the app) these never block: they report the current state instead.
"""

from __future__ import annotations

import logging
import shlex
from typing import TYPE_CHECKING

from engine.admission import AdmissionInvalid
from engine.kubectl import help
from engine.kubectl.commands import COMMANDS, TOOLS
from engine.kubectl.env import Env
from engine.kubectl.parse import KubectlError, parse_args
from engine.result import CommandResult
from engine.store import StoreError

if TYPE_CHECKING:
    from engine.cluster import Cluster

__all__ = ["run", "split"]

log = logging.getLogger(__name__)

#: Longest command line run: Linux's limit on one argument (MAX_ARG_STRLEN, 32 pages), past
#: which execve refuses with "Argument list too long" (and word splitting gets slow).
MAX_LINE = 131_072


def split(line: str) -> list[str]:
    """Shell-like word splitting (a ``#`` starting a word begins a comment); raises
    ValueError for an unterminated quote."""
    return shlex.split(strip_comment(line), comments=False, posix=True)


def strip_comment(line: str) -> str:
    """``line`` without a trailing shell comment (``#`` at the start of a word, unquoted)."""
    quote = ""
    escaped = False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def run(
    cluster: Cluster, line: str, namespace: str = "default", *, stdin: str | None = None
) -> CommandResult:
    """Run one command line against ``cluster`` from ``namespace``.

    ``stdin`` is what the command reads as standard input (``apply -f -``), e.g. a script's
    here-document.
    """
    result = CommandResult()
    if len(line) > MAX_LINE:
        program = line.split(maxsplit=1)[0][:40] if line.strip() else "command"
        return result.fail(
            f"{program}: Argument list too long (the line has {len(line):,} characters; "
            f"at most {MAX_LINE:,})\n",
            126,
        )
    try:
        words = split(line)
    except ValueError as exc:
        return result.fail(f"error: cannot parse command line: {exc}\n", 2)
    if not words:
        return result
    cluster.drain()
    try:
        _dispatch(cluster, words, namespace, result, stdin)
    except KubectlError as exc:
        result.fail(exc.text, exc.code)
    except StoreError as exc:
        result.fail(_api_error(exc))
    except Exception as exc:  # a bug elsewhere must not take the app or a script down
        if cluster.strict:
            raise
        log.exception("command %r failed", line)
        result.fail(f"error: internal error in {words[0]!r}: {type(exc).__name__}: {exc}\n")
    cluster.drain()
    return result


def _dispatch(
    cluster: Cluster, words: list[str], namespace: str, result: CommandResult, stdin: str | None
) -> None:
    prefixed = words[0] in ("kubectl", "k")
    if prefixed:
        words = words[1:]
    if not words or words[0] in ("help", "-h", "--help"):
        result.out(help.overview())
        return
    name, rest = words[0], words[1:]
    if not prefixed and name in TOOLS:
        TOOLS[name](Env(cluster, namespace, result, name, stdin), rest)
        return
    command = COMMANDS.get(name)
    if command is None and name in help.UNSUPPORTED:
        raise KubectlError(help.unsupported(name))
    if command is None:
        if prefixed:
            raise KubectlError(_unknown_command(name))
        raise KubectlError(
            f"{name}: command not found (commands: kubectl …, nslookup, dig, host, sleep, fault)\n",
            127,
        )
    flags_part = rest[: rest.index("--")] if "--" in rest else rest
    if "-h" in flags_part or "--help" in flags_part:
        result.out(help.command_help(command.name, command.flags))
        return
    parsed = parse_args(rest, command.flags, command.name)
    ns = parsed.text("namespace") or namespace
    env = Env(cluster, ns, result, command.name, stdin, "namespace" in parsed.given)
    command.handler(env, parsed)


def _api_error(exc: StoreError) -> str:
    """kubectl's rendering of an API error: Invalid prints ``The StatefulSet "web" is
    invalid: …`` as is, the others ``Error from server (Reason): message``."""
    if isinstance(exc, AdmissionInvalid):
        return exc.kubectl_message.rstrip("\n") + "\n"
    text = str(exc)
    kubectl_message = getattr(exc, "kubectl_message", None)  # admission.AdmissionInvalid
    if isinstance(kubectl_message, str):
        return kubectl_message + "\n"
    if exc.reason == "Invalid" and text.startswith("The "):
        return text.rstrip("\n") + "\n"
    return f"Error from server ({exc.reason}): {text}\n"


def _unknown_command(name: str) -> str:
    text = f'Error: unknown command "{name}" for "kubectl"\n'
    near = [c for c in sorted(COMMANDS) if _distance(name, c) <= 2 or c.startswith(name)]
    if near:
        text += "\nDid you mean this?\n" + "".join(f"\t{c}\n" for c in near) + "\n"
    return text


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (cobra's suggestion rule: ≤ 2)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
