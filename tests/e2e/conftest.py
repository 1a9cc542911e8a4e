"""End-to-end fixtures: the cluster DNS server on a free loopback port, queried by real clients.

The server runs on the test's own asyncio loop (as in the app). Real clients (``dig``, bind's
``nslookup``, ``busybox nslookup``) run as asyncio subprocesses, so the loop keeps serving while
a client waits for its answer; dnspython's clients are its async ones. Clusters are on the
virtual clock and settled before any query (the server only reads the store).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from engine.cluster import Cluster
from engine.dns.server import DnsServer, start_dns_server
from tests.engine.dns_server_helpers import seed_cluster

#: seconds a client may take before the test fails (a hung client must not hang CI)
CLIENT_TIMEOUT = 20.0
BIG_PODS = 300


@dataclass
class ToolRun:
    """What a client printed, and its exit status."""

    rc: int
    out: str
    err: str


@pytest.fixture(scope="module")
def big_cluster() -> Cluster:
    """The default cluster (``nginx`` + ``web``), ``my-svc`` and a 300-pod headless ``big``;
    read-only for the tests that share it."""
    return seed_cluster(big=BIG_PODS)


@pytest.fixture
async def server(big_cluster: Cluster) -> AsyncIterator[DnsServer]:
    """The DNS server for :func:`big_cluster` on a free loopback port."""
    async with await start_dns_server(big_cluster, "127.0.0.1", 0) as srv:
        yield srv


def need(tool: str) -> str:
    """The tool's path; skips the test (naming the package) when it is not installed."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (tests/setup-tools.sh installs it)")
    return path


async def run_tool(*argv: str) -> ToolRun:
    """Run a client without blocking the loop the server answers on."""
    proc = await asyncio.create_subprocess_exec(
        need(argv[0]),
        *argv[1:],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), CLIENT_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return ToolRun(proc.returncode, out.decode(), err.decode())
