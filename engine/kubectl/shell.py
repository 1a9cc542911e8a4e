"""What runs inside a container for ``kubectl exec``: a few programs and a tiny ``sh -c``.

Programs (busybox flavour): ``hostname``, ``cat``, ``ls``, ``mkdir``, ``echo``, ``true``,
``false``, ``nslookup`` from the pod's namespace (bind's, plus ``dig`` and ``host``, in
``dnsutils`` images) and ``sh``/``bash -c SCRIPT``. The shell understands ``;``, ``&&``,
``||``, the redirections ``>`` / ``>>``, ``$(cmd)`` and ``$VAR``. Files come from
:mod:`engine.volume_files` (volumes that outlive the pod and the container's own filesystem),
except the ones the kubelet writes: ``/etc/hostname``, ``/etc/hosts`` and ``/etc/resolv.conf``.

Output is a list of (stream, text) chunks and an exit status, like a real process.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine import volume_files
from engine.dns import tools as dns_tools
from engine.objects import Obj
from engine.result import Stream

if TYPE_CHECKING:
    from engine.cluster import Cluster

_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_SUBST = re.compile(r"\$\(([^()]*)\)")
_VAR = re.compile(r"\$(?:\{(\w+)\}|([A-Za-z_]\w*))")

NOT_IN_PATH = (
    "OCI runtime exec failed: exec failed: unable to start container process: exec: "
    '"{name}": executable file not found in $PATH: unknown\n'
)


@dataclass
class Proc:
    """Result of running something in the container."""

    chunks: list[tuple[Stream, str]] = field(default_factory=list)
    code: int = 0

    def out(self, text: str) -> None:
        """Write to stdout."""
        if text:
            self.chunks.append(("out", text))

    def err(self, text: str) -> None:
        """Write to stderr."""
        if text:
            self.chunks.append(("err", text))


class Container:
    """One container of a pod, as seen by ``exec``."""

    def __init__(self, cluster: Cluster, pod: Obj, container: str | None = None) -> None:
        self.cluster = cluster
        self.pod = pod
        self.container = container
        specs = (pod.get("spec") or {}).get("containers") or [{}]
        chosen = next((c for c in specs if c.get("name") == container), specs[0])
        image = str(chosen.get("image", ""))
        #: images with bind's tools (jessie-dnsutils, dnsutils) print bind's nslookup and
        #: have dig and host; every other image gets busybox's nslookup
        self.bind_tools = "dnsutils" in image
        self.namespace = str(pod["metadata"].get("namespace", "default"))
        self.name = str(pod["metadata"]["name"])

    # -- files --------------------------------------------------------------------------
    @property
    def hostname(self) -> str:
        """The pod's hostname (spec.hostname, else the pod name)."""
        return str((self.pod.get("spec") or {}).get("hostname") or self.name)[:63]

    def hosts_file(self) -> str:
        """The kubelet-managed /etc/hosts."""
        spec = self.pod.get("spec") or {}
        ip = (self.pod.get("status") or {}).get("podIP", "")
        host = self.hostname
        fqdn = host
        if spec.get("subdomain"):
            domain = self.cluster.config.cluster_domain
            fqdn = f"{host}.{spec['subdomain']}.{self.namespace}.svc.{domain}"
        entry = f"{ip}\t{fqdn}\t{host}\n" if fqdn != host else f"{ip}\t{host}\n"
        return (
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
            "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n" + entry
        )

    def read(self, path: str) -> str:
        """File contents; raises volume_files.FsError."""
        if path == "/etc/hostname":
            return self.hostname + "\n"
        if path == "/etc/hosts":
            return self.hosts_file()
        if path == "/etc/resolv.conf":
            return dns_tools.resolv_conf(self.cluster, self.namespace)
        return volume_files.read_file(self.cluster, self.namespace, self.name, path, self.container)

    def write(self, path: str, text: str, append: bool) -> None:
        """Write a file; raises volume_files.FsError."""
        volume_files.write_file(
            self.cluster, self.namespace, self.name, path, text, append, self.container
        )

    # -- programs -----------------------------------------------------------------------
    def exec(self, argv: list[str]) -> Proc:
        """Run ``argv`` directly (no shell), as the container runtime does."""
        proc = Proc()
        if argv[0] in ("sh", "bash", "/bin/sh", "/bin/bash"):
            return self._sh(argv)
        program = PROGRAMS.get(argv[0].rsplit("/", 1)[-1])
        if program in (_dig, _host) and not self.bind_tools:
            program = None
        if program is None:
            proc.out(NOT_IN_PATH.format(name=argv[0]))
            proc.code = 126
            return proc
        program(self, argv[1:], proc)
        return proc

    def _sh(self, argv: list[str]) -> Proc:
        proc = Proc()
        if len(argv) >= 3 and argv[1] == "-c":
            return self.run_script(argv[2])
        if len(argv) == 2 and argv[1] == "-c":
            proc.err(f"{argv[0].rsplit('/', 1)[-1]}: 0: -c requires an argument\n")
            proc.code = 2
            return proc
        proc.err(
            "interactive shells are not available in the playground: "
            "run one command, e.g. sh -c 'echo hi > /tmp/x; cat /tmp/x'\n"
        )
        proc.code = 1
        return proc

    def run_script(self, script: str) -> Proc:
        """``sh -c SCRIPT``: ``;`` ``&&`` ``||`` lists of simple commands with ``>``/``>>``."""
        total = Proc()
        script = self._expand(script, total)
        try:
            tokens = _tokenize(script)
        except ValueError:
            total.err("sh: syntax error: unterminated quoted string\n")
            total.code = 2
            return total
        code = 0
        for op, words in _split_lists(tokens):
            if (op == "&&" and code != 0) or (op == "||" and code == 0):
                continue
            proc = self._simple(words)
            total.chunks.extend(proc.chunks)
            code = proc.code
        total.code = code
        return total

    def _expand(self, script: str, total: Proc) -> str:
        """``$(cmd)``, ``$VAR`` and ``${VAR}`` outside single quotes (a subset of sh)."""
        env = {"HOSTNAME": self.hostname, "HOME": "/root", "PATH": _PATH, "PWD": "/"}
        out: list[str] = []
        i, quoted = 0, False
        while i < len(script):
            ch = script[i]
            if ch == "'":
                quoted = not quoted
            elif ch == "$" and not quoted:
                sub = _SUBST.match(script, i)
                if sub:
                    inner = self.run_script(sub.group(1))
                    total.chunks.extend(c for c in inner.chunks if c[0] == "err")
                    out.append("".join(t for st, t in inner.chunks if st == "out").rstrip("\n"))
                    i = sub.end()
                    continue
                var = _VAR.match(script, i)
                if var:
                    out.append(env.get(var.group(1) or var.group(2), ""))
                    i = var.end()
                    continue
            out.append(ch)
            i += 1
        return "".join(out)

    def _simple(self, words: list[str]) -> Proc:
        proc = Proc()
        argv: list[str] = []
        target: tuple[str, bool] | None = None
        i = 0
        while i < len(words):
            if words[i] in (">", ">>"):
                if i + 1 >= len(words):
                    proc.err("sh: syntax error: unexpected newline\n")
                    proc.code = 2
                    return proc
                target = (words[i + 1], words[i] == ">>")
                i += 2
                continue
            argv.append(words[i])
            i += 1
        if not argv:
            return proc
        if argv[0] not in PROGRAMS and argv[0] not in ("sh", "bash"):
            proc.err(f"sh: {argv[0]}: not found\n")
            proc.code = 127
            return proc
        result = self.exec(argv)
        if target is None:
            return result
        return self._redirect(result, target)

    def _redirect(self, result: Proc, target: tuple[str, bool]) -> Proc:
        proc = Proc(code=result.code)
        text = "".join(t for s, t in result.chunks if s == "out")
        for stream, chunk in result.chunks:
            if stream == "err":
                proc.err(chunk)
        try:
            self.write(target[0], text, target[1])
        except volume_files.FsError as exc:
            proc.err(f"{exc}\n")
            proc.code = 1
        return proc


def _tokenize(script: str) -> list[str]:
    lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|>")
    lexer.whitespace_split = True
    return list(lexer)


def _split_lists(tokens: list[str]) -> list[tuple[str, list[str]]]:
    """[(operator before, words)] for a ``;``/``&&``/``||`` list."""
    parts: list[tuple[str, list[str]]] = []
    op, words = ";", list[str]()
    for token in tokens:
        if token in (";", "&&", "||"):
            parts.append((op, words))
            op, words = token, []
        else:
            words.append(token)
    parts.append((op, words))
    return [(o, w) for o, w in parts if w]


# -- the programs ---------------------------------------------------------------------------
def _hostname(c: Container, args: list[str], proc: Proc) -> None:
    proc.out(c.hostname + "\n")


def _echo(c: Container, args: list[str], proc: Proc) -> None:
    newline = True
    if args and args[0] == "-n":
        newline, args = False, args[1:]
    proc.out(" ".join(args) + ("\n" if newline else ""))


def _cat(c: Container, args: list[str], proc: Proc) -> None:
    for path in args:
        try:
            proc.out(c.read(_abs(path)))
        except volume_files.FsError as exc:
            proc.err(f"{exc}\n")
            proc.code = 1


def _ls(c: Container, args: list[str], proc: Proc) -> None:
    paths = [a for a in args if not a.startswith("-")] or ["."]
    hidden = any(a.startswith("-") and "a" in a for a in args)
    for i, path in enumerate(paths):
        try:
            names = volume_files.list_dir(
                c.cluster, c.namespace, c.name, _abs(path), c.container, hidden
            )
        except volume_files.FsError as exc:
            proc.err(f"{exc}\n")
            proc.code = 1
            continue
        if len(paths) > 1:
            proc.out(("\n" if i else "") + f"{path}:\n")
        proc.out("".join(f"{n}\n" for n in names))


def _abs(path: str) -> str:
    """Paths relative to the container's working directory ``/``."""
    if path.startswith("/"):
        return path
    return "/" + path.removeprefix("./").removeprefix(".")


def _mkdir(c: Container, args: list[str], proc: Proc) -> None:
    for path in (a for a in args if not a.startswith("-")):
        try:
            volume_files.make_dir(c.cluster, c.namespace, c.name, _abs(path), c.container)
        except volume_files.FsError as exc:
            proc.err(f"{exc}\n")
            proc.code = 1


def _true(c: Container, args: list[str], proc: Proc) -> None:
    proc.code = 0


def _false(c: Container, args: list[str], proc: Proc) -> None:
    proc.code = 1


def _nslookup(c: Container, args: list[str], proc: Proc) -> None:
    flavor = "bind" if c.bind_tools else "busybox"
    result = dns_tools.run_nslookup(c.cluster, args, c.namespace, flavor)
    proc.chunks.extend(result.chunks)
    proc.code = result.code


def _dig(c: Container, args: list[str], proc: Proc) -> None:
    result = dns_tools.run_dig(c.cluster, args, c.namespace)
    proc.chunks.extend(result.chunks)
    proc.code = result.code


def _host(c: Container, args: list[str], proc: Proc) -> None:
    result = dns_tools.run_host(c.cluster, args, c.namespace)
    proc.chunks.extend(result.chunks)
    proc.code = result.code


PROGRAMS = {
    "hostname": _hostname,
    "echo": _echo,
    "cat": _cat,
    "ls": _ls,
    "mkdir": _mkdir,
    "true": _true,
    "false": _false,
    "nslookup": _nslookup,
    "dig": _dig,
    "host": _host,
}
