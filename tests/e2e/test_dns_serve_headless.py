"""``stsplay dns-serve`` headless: a RealClock cluster run by ``cluster.run()`` beside the server.

The serving function (:func:`engine.dns.server.run_dns_serve`, what the CLI calls) runs in a
child Python process on the default manifest with the clock at 64× speed, so the StatefulSet
comes up in a fraction of a second; dig watches the headless name fill up, and SIGINT/SIGTERM
stop the server with exit status 0.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import CLIENT_TIMEOUT, run_tool

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
NGINX = "nginx.default.svc.cluster.local"
CHILD = """
import sys
from engine.clock import RealClock
from engine.cluster import Cluster
from engine.dns.server import run_dns_serve
from tui.cli import default_manifest

cluster = Cluster(seed=1, clock=RealClock(speed=64))
cluster.apply(str(default_manifest()))
sys.exit(run_dns_serve(cluster, "127.0.0.1", int(sys.argv[1])))
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def dig_short(port: int, name: str) -> set[str]:
    run = await run_tool("dig", "@127.0.0.1", "-p", str(port), name, "+short", "+tries=1")
    return set(run.out.split())


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
async def test_dns_serve_follows_a_running_cluster_until_stopped(stop: signal.Signals) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, str(port),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), CLIENT_TIMEOUT)
        if not line:  # the child failed: show why
            assert proc.stderr is not None
            pytest.fail((await proc.stderr.read()).decode())
        assert line.decode() == (
            f"Serving cluster DNS on 127.0.0.1:{port} (UDP, TCP) — try: "
            f"dig @127.0.0.1 -p {port} {NGINX}\n"
        )
        # the cluster runs on its RealClock: web-0, then web-1 become ready and appear in DNS
        seen: set[str] = set()
        deadline = asyncio.get_running_loop().time() + CLIENT_TIMEOUT
        while len(seen) < 2 and asyncio.get_running_loop().time() < deadline:
            seen = await dig_short(port, NGINX)
        assert len(seen) == 2
        assert await dig_short(port, f"web-1.{NGINX}") <= seen
        proc.send_signal(stop)
        assert await asyncio.wait_for(proc.wait(), CLIENT_TIMEOUT) == 0
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
