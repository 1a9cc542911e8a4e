"""The ``stsplay`` command: the playground app, and headless subcommands.

``stsplay`` opens the app on the default cluster (the seed's headless Service ``nginx`` and
StatefulSet ``web``); ``stsplay -f FILE_OR_DIR`` starts from the user's manifests instead.
``stsplay script FILE|-`` runs a command script headlessly on the virtual clock.

Saving (:mod:`tui.saving`, :mod:`tui.resume`): quitting the app autosaves, ``stsplay
--resume`` continues from the autosave, ``--load FILE`` from a save file, and ``--save FILE``
names where the session is saved on quit (and with ``ctrl+s`` / ``:save``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui.cli_util import FAILED, USAGE, fail, read_script, report_errors

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from tui.app import PlaygroundApp
    from tui.saving import SavePlan

DESCRIPTION = (
    "A terminal playground for Kubernetes StatefulSets, headless Services, volumes and "
    "cluster DNS. Without a subcommand it opens the playground app."
)


def default_manifest() -> Path:
    """Path of the built-in default cluster manifest (the seed's nginx/web example)."""
    here = Path(__file__).resolve().parent.parent / "demos" / "manifests" / "web.yaml"
    if here.exists():
        return here
    packaged = resources.files("engine") / "demos" / "manifests" / "web.yaml"
    return Path(str(packaged))


def _cluster_options(parser: argparse.ArgumentParser, namespace: str | None = "default") -> None:
    parser.add_argument(
        "-f",
        "--filename",
        metavar="FILE_OR_DIR",
        action="append",
        help="start from these manifests (file or directory; repeatable) instead of the "
        "default cluster",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--nodes", type=int, default=3, help="number of worker nodes (default: 3)")
    parser.add_argument(
        "-n",
        "--namespace",
        default=namespace,
        help="namespace commands and DNS queries run from (default: default)",
    )


def _save_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--save",
        dest="save_to",  # not "save": `exercise --save` has its own
        metavar="FILE",
        help="save the playground to FILE when you quit (and with ctrl+s or :save); "
        "quitting always autosaves too, for --resume",
    )
    parser.add_argument(
        "--load",
        metavar="FILE",
        help="start from a save file (written by --save, :save FILE or the autosave) instead "
        "of manifests; its seed and nodes are used",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue where you left off: load the autosave written when you last quit",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (top level plus subcommands)."""
    parser = argparse.ArgumentParser(prog="stsplay", description=DESCRIPTION)
    _cluster_options(parser, namespace=None)  # None: not given (a resumed session's wins)
    parser.add_argument(
        "--speed",
        type=float,
        default=None,
        help="simulated seconds per real second (default: 1; '<'/'>' change it live)",
    )
    parser.add_argument(
        "--dns-port",
        type=int,
        metavar="PORT",
        help="also serve the cluster DNS on 127.0.0.1:PORT (UDP and TCP) so real dig and "
        "nslookup can query the live cluster",
    )
    parser.add_argument(
        "--dns-address",
        default="127.0.0.1",
        metavar="ADDR",
        help="address for --dns-port (default: 127.0.0.1; loopback unless you name another)",
    )
    _save_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    script = sub.add_parser(
        "script",
        help="run a command script headlessly on the virtual clock",
        description="Run commands (kubectl subset, nslookup, dig, host, sleep, fault …) line "
        "by line on the virtual clock and print what each prints. Starts from a bare cluster "
        "unless -f or --default-cluster is given.",
    )
    script.add_argument("file", metavar="FILE", help="script file, or - for standard input")
    _cluster_options(script)
    script.add_argument(
        "--default-cluster",
        action="store_true",
        help="start from the default cluster (nginx Service + web StatefulSet), settled",
    )
    script.add_argument("--echo", action="store_true", help="print each command as '$ command'")
    script.add_argument(
        "--keep-going", action="store_true", help="continue after a failing command"
    )
    serve = sub.add_parser(
        "dns-serve",
        help="serve the cluster DNS over UDP and TCP (for dig/nslookup), headless",
        description="Run the cluster on the real clock and serve its DNS zone over UDP and TCP "
        "so real clients can ask it: dig @127.0.0.1 -p 5353 nginx.default.svc.cluster.local. "
        "Starts from the default cluster unless -f is given.",
    )
    _cluster_options(serve)
    serve.add_argument("--port", type=int, default=5353, help="port (default: 5353)")
    serve.add_argument(
        "--address",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1; loopback unless you name another)",
    )
    serve.add_argument("--speed", type=float, default=1.0, help=argparse.SUPPRESS)
    from tui.exercise_cli import add_exercise_command

    add_exercise_command(sub)
    from tui.demo.cli import add_demo_parser

    add_demo_parser(sub)
    return parser


def run_dns_serve_command(args: argparse.Namespace) -> int:
    """``stsplay dns-serve``."""
    from engine.clock import RealClock
    from engine.cluster import Cluster
    from engine.dns.server import run_dns_serve

    cluster = Cluster(seed=args.seed, nodes=args.nodes, clock=RealClock(speed=args.speed))
    errors = _load_manifests(
        cluster, list(args.filename or [str(default_manifest())]), args.namespace
    )
    if errors:
        return report_errors(errors, sys.stderr)
    return run_dns_serve(cluster, args.address, args.port)


def _load_manifests(cluster: object, paths: Sequence[str], namespace: str) -> list[str]:
    """Apply each path; returns error messages (nothing of a failing path is applied)."""
    from engine.cluster import Cluster
    from engine.manifests import ManifestError

    assert isinstance(cluster, Cluster)
    errors: list[str] = []
    for path in paths:
        try:
            cluster.apply(path, namespace=namespace)
        except ManifestError as exc:
            errors.append(str(exc))
        except OSError as exc:
            errors.append(f"error: the path {path!r} cannot be read: {exc.strerror}")
    return errors


def run_script_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``stsplay script``."""
    from engine.cluster import Cluster
    from engine.script import run_script

    script = read_script(args.file, stderr)
    if script is None:
        return USAGE
    text, source = script
    cluster = Cluster(seed=args.seed, nodes=args.nodes)
    paths = list(args.filename or [])
    if args.default_cluster:
        paths.insert(0, str(default_manifest()))
    errors = _load_manifests(cluster, paths, args.namespace)
    if errors:
        return report_errors(errors, stderr)
    if paths:
        cluster.settle()
    return run_script(
        cluster,
        text,
        echo=args.echo,
        keep_going=args.keep_going,
        out=stdout,
        err=stderr,
        source=source,
        namespace=args.namespace,
    )


def run_app(args: argparse.Namespace) -> int:
    """Open the playground app on a real clock: from manifests, or from a save (``--load``,
    ``--resume``); returns 2 when the save options or the save file are wrong."""
    from engine import persist
    from engine.clock import RealClock
    from engine.cluster import Cluster
    from tui import resume
    from tui.saving import SavePlan, save_on_exit

    given = resume.Given(namespace=args.namespace is not None, speed=args.speed is not None)
    args.namespace = args.namespace or "default"
    args.speed = 1.0 if args.speed is None else args.speed
    problem = resume.option_problem(args)
    saved_from = resume.source_path(args)
    loaded: Cluster | None = None
    if problem is None and saved_from is not None:
        try:
            loaded = resume.load(saved_from, resume=args.resume, speed=args.speed)
        except resume.ResumeError as exc:
            problem = str(exc)
        else:
            resume.continue_session(loaded, args, given)
    if problem is not None:
        return fail(sys.stderr, problem)
    plan = SavePlan(
        target=Path(args.save_to).expanduser() if args.save_to else None,
        autosave=persist.default_path(),
    )
    if loaded is not None:
        cluster, errors = loaded, []
    else:
        cluster = Cluster(seed=args.seed, nodes=args.nodes, clock=RealClock(speed=args.speed))
        paths = list(args.filename or [str(default_manifest())])
        errors = _load_manifests(cluster, paths, args.namespace)
    apps: list[PlaygroundApp] = []

    def make(dns_address: str | None = None) -> PlaygroundApp:
        app = _make_app(args, cluster, errors, plan, loaded is not None, dns_address)
        apps.append(app)
        return app

    try:
        if args.dns_port is None:
            make().run()
            status = 0
        else:
            status = asyncio.run(_run_app_with_dns(args, cluster, make))
    finally:
        if apps:  # the app's cluster (an exercise reset replaces it)
            save_on_exit(apps[-1].cluster, plan)
    for message in plan.messages:
        sys.stderr.write(f"stsplay: {message}\n")
    return 1 if plan.messages else status


def _make_app(
    args: argparse.Namespace,
    cluster: Cluster,
    errors: list[str],
    plan: SavePlan,
    loaded: bool,
    dns_address: str | None = None,
) -> PlaygroundApp:
    """The app: on a loaded save (maybe an exercise session), or on the new cluster."""
    from tui.app import PlaygroundApp
    from tui.resume import saved_app

    if loaded:
        return saved_app(
            cluster, namespace=args.namespace, plan=plan, speed=args.speed, dns_address=dns_address
        )
    return PlaygroundApp(
        cluster,
        namespace=args.namespace,
        startup_errors=errors,
        dns_address=dns_address,
        save_plan=plan,
    )


async def _run_app_with_dns(
    args: argparse.Namespace, cluster: Cluster, make: Callable[..., PlaygroundApp]
) -> int:
    """The app (``make(dns_address=…)``) with the DNS server on the same event loop (it
    reads the same store)."""
    from engine.dns.server import start_dns_server

    try:
        server = await start_dns_server(cluster, args.dns_address, args.dns_port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = f"{args.dns_address}:{args.dns_port}"
        return fail(sys.stderr, f"cannot serve DNS on {where}: {reason}", status=FAILED)
    app = make(dns_address=server.address)
    try:
        await app.run_async()
    finally:
        server.close()
        await server.wait_closed()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``stsplay``."""
    args = build_parser().parse_args(argv)
    if args.command is not None and (args.save_to or args.load or args.resume):
        flag = "--save" if args.save_to else "--load" if args.load else "--resume"
        hint = " (use: stsplay exercise NAME --save FILE)" if args.command == "exercise" else ""
        return fail(sys.stderr, f"{flag} is for the playground app, not '{args.command}'{hint}")
    if args.command == "script":
        return run_script_command(args, sys.stdout, sys.stderr)
    if args.command == "dns-serve":
        return run_dns_serve_command(args)
    if args.command == "demo":
        from tui.demo.cli import run_demo_command

        return run_demo_command(args, sys.stdout, sys.stderr)
    if args.command == "exercise":
        from tui.exercise_cli import run_exercise_command

        return run_exercise_command(args, sys.stdout, sys.stderr)
    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
