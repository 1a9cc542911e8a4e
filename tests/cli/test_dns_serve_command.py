"""``stsplay dns-serve`` as a user runs it: the installed command, queried over UDP."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

import dns.message
import dns.query
import dns.rcode
import pytest


def _start(*args: str) -> tuple[subprocess.Popen[str], str, int]:
    exe = shutil.which("stsplay")
    cmd = [exe] if exe else [sys.executable, "-m", "tui.cli"]
    proc = subprocess.Popen(
        [*cmd, "dns-serve", "--port", "0", "--speed", "8", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"on (127\.0\.0\.1):(\d+) \(UDP, TCP\)", line)
    if not match:
        proc.kill()
        pytest.fail(f"no banner: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, match.group(1), int(match.group(2))


def _ask(host: str, port: int, name: str) -> dns.message.Message:
    query = dns.message.make_query(name, "A")
    return dns.query.udp(query, host, port=port, timeout=2)


@pytest.mark.e2e
def test_dns_serve_answers_for_the_default_cluster_as_it_comes_up() -> None:
    proc, host, port = _start()
    try:
        deadline = time.monotonic() + 20
        addresses: set[str] = set()
        while time.monotonic() < deadline and len(addresses) < 2:
            reply = _ask(host, port, "nginx.default.svc.cluster.local.")
            if reply.rcode() == dns.rcode.NOERROR:
                addresses = {rr.address for rrset in reply.answer for rr in rrset}
            time.sleep(0.2)
        assert len(addresses) == 2
        assert all(a.startswith("10.244.") for a in addresses)
        pod = _ask(host, port, "web-0.nginx.default.svc.cluster.local.")
        assert {rr.address for rrset in pod.answer for rr in rrset} <= addresses
        assert _ask(host, port, "nosuch.default.svc.cluster.local.").rcode() == dns.rcode.NXDOMAIN
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_dns_serve_reports_a_port_in_use() -> None:
    proc, _host, port = _start()
    try:
        exe = shutil.which("stsplay")
        cmd = [exe] if exe else [sys.executable, "-m", "tui.cli"]
        second = subprocess.run(
            [*cmd, "dns-serve", "--port", str(port)], capture_output=True, text=True, timeout=30
        )
        assert second.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=10)
