"""The DNS server's sockets: UDP and TCP on loopback, framing, limits, lifecycle, headless mode.

The server runs on the test's event loop; clients are dnspython's async functions and raw
asyncio streams (the real clients are in ``tests/e2e``).
"""

from __future__ import annotations

import asyncio
import io
import socket

import dns.asyncquery
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from engine.cluster import Cluster
from engine.dns import server as server_module
from engine.dns.server import (
    TCP_MAX_QUERY,
    banner,
    run_dns_serve,
    serve_headless,
    start_dns_server,
)
from tests.engine.dns_server_helpers import WEB_IPS, big_ips, dns_cluster

NGINX = "nginx.default.svc.cluster.local."
BIG = "big.default.svc.cluster.local."


@pytest.fixture(scope="module")
def big_cluster() -> Cluster:
    """Read-only: the seed-like state plus a 300-pod headless Service ``big``."""
    return dns_cluster(big=300)


def addresses(msg: dns.message.Message) -> set[str]:
    return {rd.address for rrset in msg.answer if rrset.rdtype == dns.rdatatype.A for rd in rrset}


# -- UDP and TCP --------------------------------------------------------------------------------
async def test_server_answers_udp_and_tcp_on_loopback(big_cluster: Cluster) -> None:
    async with await start_dns_server(big_cluster, port=0) as server:
        assert server.host == "127.0.0.1"
        assert server.address == f"127.0.0.1:{server.port}"
        query = dns.message.make_query(NGINX, "A")
        udp = await dns.asyncquery.udp(query, "127.0.0.1", port=server.port, timeout=2)
        tcp = await dns.asyncquery.tcp(query, "127.0.0.1", port=server.port, timeout=2)
        assert addresses(udp) == addresses(tcp) == set(WEB_IPS.values())
        big = dns.message.make_query(BIG, "A", use_edns=0)
        truncated = await dns.asyncquery.udp(big, "127.0.0.1", port=server.port, timeout=2)
        whole = await dns.asyncquery.tcp(big, "127.0.0.1", port=server.port, timeout=2)
        assert truncated.flags & dns.flags.TC
        assert addresses(whole) == set(big_ips(300))


async def _tcp(server_port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", server_port)


def _framed(query: dns.message.Message) -> bytes:
    data = query.to_wire()
    return len(data).to_bytes(2, "big") + data


async def _read_reply(reader: asyncio.StreamReader) -> dns.message.Message:
    size = int.from_bytes(await reader.readexactly(2), "big")
    return dns.message.from_wire(await reader.readexactly(size))


async def test_tcp_answers_pipelined_queries_in_order(big_cluster: Cluster) -> None:
    async with await start_dns_server(big_cluster, port=0) as server:
        reader, writer = await _tcp(server.port)
        names = ["web-0.nginx.default.svc.cluster.local", NGINX, BIG, "nope.default.svc."]
        queries = [dns.message.make_query(n, "A") for n in names]
        stream = b"".join(_framed(q) for q in queries)
        # in one write, then byte by byte: framing must not depend on segment boundaries
        writer.write(stream[:5])
        await writer.drain()
        writer.write(stream[5:])
        replies = [await _read_reply(reader) for _ in queries]
        assert [r.id for r in replies] == [q.id for q in queries]
        assert addresses(replies[2]) == set(big_ips(300))
        assert replies[3].rcode() == dns.rcode.NXDOMAIN
        writer.close()


@pytest.mark.parametrize("length", [0, 5, TCP_MAX_QUERY + 1, 65535])
async def test_tcp_bad_lengths_close_the_connection(big_cluster: Cluster, length: int) -> None:
    async with await start_dns_server(big_cluster, port=0) as server:
        reader, writer = await _tcp(server.port)
        writer.write(length.to_bytes(2, "big") + b"\x00" * min(length, 64))
        assert await reader.read() == b""
        writer.close()
        # and the server still answers
        msg = await dns.asyncquery.tcp(
            dns.message.make_query(NGINX, "A"), "127.0.0.1", port=server.port, timeout=2
        )
        assert addresses(msg) == set(WEB_IPS.values())


async def test_tcp_response_instead_of_query_closes_the_connection(big_cluster: Cluster) -> None:
    async with await start_dns_server(big_cluster, port=0) as server:
        reader, writer = await _tcp(server.port)
        data = bytearray(dns.message.make_query(NGINX, "A").to_wire())
        data[2] |= 0x80
        writer.write(len(data).to_bytes(2, "big") + data)
        assert await reader.read() == b""
        writer.close()


async def test_idle_tcp_connections_are_closed(big_cluster: Cluster) -> None:
    async with await start_dns_server(big_cluster, port=0) as server:
        server.tcp_idle_timeout = 0.05
        reader, writer = await _tcp(server.port)
        writer.write(_framed(dns.message.make_query(NGINX, "A")))
        await _read_reply(reader)
        writer.write(b"\x00")  # half a length: not a query, does not keep it alive
        assert await asyncio.wait_for(reader.read(), 5) == b""
        assert not server.connections
        writer.close()


async def test_a_host_name_binds_one_address_for_both_transports(big_cluster: Cluster) -> None:
    async with await start_dns_server(big_cluster, "localhost", 0) as server:
        assert server.host in ("127.0.0.1", "::1")
        msg = await dns.asyncquery.tcp(
            dns.message.make_query(NGINX, "A"), server.host, port=server.port, timeout=2
        )
        assert addresses(msg) == set(WEB_IPS.values())


async def test_ipv6_loopback(big_cluster: Cluster) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        server = await start_dns_server(big_cluster, "::1", 0)
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    async with server:
        assert server.address == f"[::1]:{server.port}"
        msg = await dns.asyncquery.udp(
            dns.message.make_query(NGINX, "A"), "::1", port=server.port, timeout=2
        )
        assert addresses(msg) == set(WEB_IPS.values())


async def test_loops_without_add_reader_use_a_datagram_protocol(
    big_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = asyncio.get_running_loop()

    def no_add_reader(*_args: object) -> None:
        raise NotImplementedError

    monkeypatch.setattr(loop, "add_reader", no_add_reader)
    async with await start_dns_server(big_cluster, port=0) as server:
        msg = await dns.asyncquery.udp(
            dns.message.make_query(NGINX, "A"), "127.0.0.1", port=server.port, timeout=2
        )
        assert addresses(msg) == set(WEB_IPS.values())
        bad = await dns.asyncquery.udp(
            dns.message.make_query(NGINX, "A", use_edns=1), "127.0.0.1", port=server.port, timeout=2
        )
        assert bad.rcode() == dns.rcode.BADVERS


async def test_port_in_use_is_an_error_and_close_frees_it(big_cluster: Cluster) -> None:
    server = await start_dns_server(big_cluster, port=0)
    with pytest.raises(OSError, match=r"(?i)in use"):
        await start_dns_server(big_cluster, port=server.port)
    server.close()
    await server.wait_closed()
    assert server.closed
    again = await start_dns_server(big_cluster, port=server.port)
    again.close()
    await again.wait_closed()


async def test_close_stops_answering(big_cluster: Cluster) -> None:
    server = await start_dns_server(big_cluster, port=0)
    server.close()
    await server.wait_closed()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", server.port)


async def test_serve_headless_prints_the_banner_and_serves_until_cancelled() -> None:
    cluster = dns_cluster()
    printed = asyncio.Event()

    class Out(io.StringIO):
        def write(self, s: str) -> int:
            printed.set()
            return super().write(s)

    out = Out()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    task = asyncio.create_task(serve_headless(cluster, "127.0.0.1", port, out=out))
    await asyncio.wait_for(printed.wait(), 5)
    assert out.getvalue() == (
        f"Serving cluster DNS on 127.0.0.1:{port} (UDP, TCP) — try: "
        f"dig @127.0.0.1 -p {port} nginx.default.svc.cluster.local\n"
    )
    msg = await dns.asyncquery.udp(
        dns.message.make_query(NGINX, "A"), "127.0.0.1", port=port, timeout=2
    )
    assert addresses(msg) == set(WEB_IPS.values())
    task.cancel()
    await task
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)


def test_banner_falls_back_to_the_kubernetes_service() -> None:
    cluster = Cluster(seed=1)

    class Fake:
        host, port, address = "127.0.0.1", 53, "127.0.0.1:53"

    assert banner(cluster, Fake()).endswith(  # type: ignore[arg-type]
        "try: dig @127.0.0.1 -p 53 kubernetes.default.svc.cluster.local"
    )


def test_run_dns_serve_reports_an_address_it_cannot_bind() -> None:
    cluster = dns_cluster()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        err = io.StringIO()
        assert run_dns_serve(cluster, "127.0.0.1", port, err=err) == 1
    assert err.getvalue() == (
        f"stsplay dns-serve: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )


async def test_connections_beyond_the_limit_are_refused(
    big_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "TCP_MAX_CONNECTIONS", 2)
    async with await start_dns_server(big_cluster, port=0) as server:
        first = await _tcp(server.port)
        second = await _tcp(server.port)
        for _, writer in (first, second):  # both served
            writer.write(_framed(dns.message.make_query(NGINX, "A")))
        for reader, _ in (first, second):
            assert addresses(await _read_reply(reader)) == set(WEB_IPS.values())
        reader, writer = await _tcp(server.port)
        writer.write(_framed(dns.message.make_query(NGINX, "A")))
        with pytest.raises((ConnectionResetError, asyncio.IncompleteReadError)):
            await _read_reply(reader)  # aborted at once
        assert len(server.connections) == 2
        for _, w in (first, second, (reader, writer)):
            w.close()


async def test_a_client_that_does_not_read_stops_being_read(big_cluster: Cluster) -> None:
    async with await start_dns_server(big_cluster, port=0) as server:
        reader, writer = await _tcp(server.port)
        query = _framed(dns.message.make_query(BIG, "A"))  # ~16 KB per reply
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        conn = None
        while loop.time() < deadline:
            if writer.transport.get_write_buffer_size() < 1 << 20:
                writer.write(query * 64)  # no drain(): it would wait for the server to read
            await asyncio.sleep(0)  # let the server run
            conn = next(iter(server.connections), None)
            if conn is not None and conn._paused:
                break
        assert conn is not None
        assert conn._paused  # replies pile up no further than the write buffer's high mark
        assert conn._transport is not None
        assert conn._transport.get_write_buffer_size() < 4 * server_module.TCP_WRITE_HIGH
        # reading again resumes answering, in order
        first = await _read_reply(reader)
        assert len(addresses(first)) == 300
        writer.close()


async def test_a_query_followed_by_half_of_the_next_keeps_the_connection_alive(
    big_cluster: Cluster,
) -> None:
    async with await start_dns_server(big_cluster, port=0) as server:
        server.tcp_idle_timeout = 0.3
        reader, writer = await _tcp(server.port)
        framed = _framed(dns.message.make_query(NGINX, "A"))
        writer.write(framed + framed[:5])
        await _read_reply(reader)
        conn = next(iter(server.connections))
        assert conn._idle is not None
        assert conn._idle.when() > asyncio.get_running_loop().time()  # re-armed by the answer
        writer.write(framed[5:])
        assert addresses(await _read_reply(reader)) == set(WEB_IPS.values())
        writer.close()
