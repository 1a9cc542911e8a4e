"""The cluster DNS on a real socket: UDP and TCP on loopback, for dig, nslookup and friends.

:func:`start_dns_server` binds a UDP socket and a TCP listener on the same address (loopback
unless the caller names another one) and serves them on the **running** asyncio loop — the
loop the app drives its RealClock cluster on, or the loop :func:`serve_headless` runs
``cluster.run()`` on for ``stsplay dns-serve``. Every query is answered by a
:class:`~engine.dns.handler.QueryHandler`, which reads the live store, so answers follow the
cluster the moment it changes.

* **UDP**: the socket is watched with ``loop.add_reader``; each wake-up drains up to
  :data:`UDP_BATCH` datagrams, so a burst costs one poll instead of one per query (about five
  times the throughput of a ``DatagramProtocol``, which reads one datagram per loop
  iteration). Loops without ``add_reader`` fall back to a ``DatagramProtocol``. A reply that
  cannot be sent at once is dropped, as UDP allows; the client retries.
* **TCP**: an ``asyncio.Protocol`` per connection reads length-prefixed messages, several per
  connection, answered in order. A connection is closed when a length is below a DNS header
  or above :data:`TCP_MAX_QUERY`, when a message is dropped (not a query), or after
  :data:`TCP_IDLE_TIMEOUT` seconds without a complete query. Reading pauses while a client does
  not read its replies (bounded buffers); at most :data:`TCP_MAX_CONNECTIONS` are open.

Idle timeouts use the event loop's monotonic clock: they are about real sockets, not the
simulated cluster, whose clock they never read or move.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
from typing import TYPE_CHECKING, TextIO, cast

from engine.dns import wire
from engine.dns.handler import QueryHandler, Resolve

if TYPE_CHECKING:
    from engine.cluster import Cluster

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5353
#: datagrams answered per wake-up of the UDP reader
UDP_BATCH = 64
#: receive buffer asked for the UDP socket (absorbs bursts; the kernel may cap it)
UDP_RCVBUF = 1 << 20
TCP_IDLE_TIMEOUT = 10.0
TCP_MAX_QUERY = 4096
TCP_MAX_CONNECTIONS = 256
#: bytes of replies queued for a TCP client before we stop reading its queries
TCP_WRITE_HIGH = 256 * 1024


class _UdpReader:
    """Answers datagrams from a non-blocking socket watched by the loop."""

    def __init__(self, handler: QueryHandler, sock: socket.socket) -> None:
        self._handler = handler
        self._sock = sock

    def ready(self) -> None:
        """Drain up to :data:`UDP_BATCH` datagrams (the loop's read callback).

        A query whose reply is cached as plain bytes is answered right here (the hot path of
        a busy server); everything else goes through :meth:`QueryHandler.handle`.
        """
        recv, send, handle = self._sock.recvfrom, self._sock.sendto, self._handler.handle
        cache = self._handler.udp_cache
        hits = 0
        for _ in range(UDP_BATCH):
            try:
                data, addr = recv(wire.MAX_MESSAGE)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:  # e.g. an ICMP error surfacing on the socket: keep serving
                continue
            hit = cache.get(data[2:])
            if hit.__class__ is bytes:
                reply: bytes | None = data[:2] + hit
                hits += 1
            else:
                reply = handle(data)
            if reply is not None:
                try:
                    send(reply, addr)
                except OSError:  # the client is gone or the buffer is full: UDP may drop
                    self._handler.stats["unsent"] += 1
        self._handler.stats["cached"] += hits


class _UdpProtocol(asyncio.DatagramProtocol):
    """Fallback for loops without ``add_reader``: one datagram per callback."""

    def __init__(self, handler: QueryHandler) -> None:
        self._handler = handler
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (the selector loop's datagram transport does not subclass DatagramTransport)
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        reply = self._handler.handle(data)
        if reply is not None and self._transport is not None:
            self._transport.sendto(reply, addr)


class _TcpConnection(asyncio.Protocol):
    """One client connection: length-prefixed queries in, replies out, in order."""

    def __init__(self, server: DnsServer) -> None:
        self._server = server
        self._buf = bytearray()
        self._transport: asyncio.Transport | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        if len(self._server.connections) >= TCP_MAX_CONNECTIONS:
            transport.abort()
            return
        self._server.connections.add(self)
        self._server.handler.stats["tcp_connections"] += 1
        transport.set_write_buffer_limits(high=TCP_WRITE_HIGH)
        self._arm_idle()

    def data_received(self, data: bytes) -> None:
        self._buf += data
        self._process()

    def _process(self) -> None:
        """Answer every complete query in the buffer, in order, until writing is paused."""
        answered = False
        while len(self._buf) >= 2 and self._transport is not None and not self._paused:
            size = int.from_bytes(self._buf[:2], "big")
            if size < wire.HEADER_LEN or size > TCP_MAX_QUERY:
                self.close()
                return
            if len(self._buf) < 2 + size:
                break
            query = bytes(self._buf[2 : 2 + size])
            del self._buf[: 2 + size]
            reply = self._server.handler.handle(query, udp=False)
            if reply is None:
                self.close()
                return
            self._transport.write(len(reply).to_bytes(2, "big") + reply)
            answered = True
        if answered:
            self._arm_idle()

    def pause_writing(self) -> None:
        """The client is not reading its replies: stop reading (and answering) its queries."""
        self._paused = True
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        self._paused = False
        if self._transport is not None and not self._transport.is_closing():
            self._transport.resume_reading()
            self._process()

    def connection_lost(self, exc: Exception | None) -> None:
        self._server.connections.discard(self)
        if self._idle is not None:
            self._idle.cancel()
        self._transport = None

    def _arm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        loop = asyncio.get_running_loop()
        self._idle = loop.call_later(self._server.tcp_idle_timeout, self.close)

    def close(self) -> None:
        """Close after the replies already queued are sent."""
        if self._transport is not None:
            self._transport.close()

    def abort(self) -> None:
        """Close at once."""
        if self._transport is not None:
            self._transport.abort()


class DnsServer:
    """A running DNS server (UDP and TCP on one address). Create with
    :func:`start_dns_server`; stop with :meth:`close`."""

    def __init__(self, handler: QueryHandler, host: str, port: int) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self.tcp_idle_timeout = TCP_IDLE_TIMEOUT
        self.connections: set[_TcpConnection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._udp: socket.socket | None = None
        self._udp_transport: asyncio.BaseTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._closed = False

    @property
    def address(self) -> str:
        """``host:port`` (``[host]:port`` for IPv6), e.g. ``127.0.0.1:5353``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def closed(self) -> bool:
        """:meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Stop answering: close both sockets and every TCP connection (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._udp is not None:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._udp.fileno())
            self._udp.close()
        if self._udp_transport is not None:
            self._udp_transport.close()
        if self._tcp is not None:
            self._tcp.close()
        for conn in list(self.connections):
            conn.abort()
        self.handler.close()

    async def wait_closed(self) -> None:
        """Wait until the TCP listener is closed."""
        if self._tcp is not None:
            await self._tcp.wait_closed()

    async def __aenter__(self) -> DnsServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
        await self.wait_closed()


async def start_dns_server(
    cluster: Cluster,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    resolve: Resolve | None = None,
) -> DnsServer:
    """Serve ``cluster``'s DNS on ``host``:``port`` over UDP and TCP on the running loop.

    Args:
        cluster: the cluster to answer from (its store is read on every query).
        host: address to bind (a name binds the first address it resolves to, for both
            transports); loopback unless the user explicitly names another.
        port: port for both transports; 0 picks a free one (see ``DnsServer.port``).
        resolve: the resolver (default :func:`engine.dns.resolver.resolve`).

    Returns:
        The running :class:`DnsServer`.

    Raises:
        OSError: the address cannot be bound (in use, no permission for ports below 1024…).
    """
    loop = asyncio.get_running_loop()
    server = DnsServer(QueryHandler(cluster, resolve), host, port)
    try:
        await _bind(server, loop, host, port)
    except BaseException:
        server.close()
        raise
    return server


async def _bind(server: DnsServer, loop: asyncio.AbstractEventLoop, host: str, port: int) -> None:
    """Bind UDP then TCP on the same port (with port 0, retry until a free pair is found)."""
    for attempt in range(20):
        udp = _udp_socket(host, port)
        address, bound = udp.getsockname()[:2]
        try:
            server._tcp = await loop.create_server(
                lambda: _TcpConnection(server), address, bound, reuse_address=True
            )
        except OSError:
            udp.close()
            if port != 0 or attempt == 19:
                raise
            continue
        server.host, server.port = str(address), int(bound)
        server._udp = udp
        await _watch_udp(server, loop, udp)
        return


def _udp_socket(host: str, port: int) -> socket.socket:
    """A non-blocking UDP socket bound to the first address ``host`` resolves to."""
    family, _, _, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_RCVBUF)
        sock.bind(addr)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


async def _watch_udp(
    server: DnsServer, loop: asyncio.AbstractEventLoop, udp: socket.socket
) -> None:
    try:
        loop.add_reader(udp.fileno(), _UdpReader(server.handler, udp).ready)
        server._loop = loop
    except NotImplementedError:  # a proactor loop: no add_reader
        server._udp = None
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(server.handler), sock=udp
        )
        server._udp_transport = transport


def banner(cluster: Cluster, server: DnsServer) -> str:
    """The one line ``stsplay dns-serve`` prints when it is ready."""
    domain = cluster.config.cluster_domain.strip(".")
    services = [
        s for s in cluster.store.list("Service", "default") if s["metadata"]["name"] != "kubernetes"
    ]
    services.sort(key=lambda s: (s["spec"].get("clusterIP") != "None", s["metadata"]["name"]))
    name = services[0]["metadata"]["name"] if services else "kubernetes"
    return (
        f"Serving cluster DNS on {server.address} (UDP, TCP) — try: "
        f"dig @{server.host} -p {server.port} {name}.default.svc.{domain}"
    )


async def serve_headless(
    cluster: Cluster,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    out: TextIO | None = None,
) -> None:
    """Serve ``cluster``'s DNS and run the cluster (``cluster.run()``) until cancelled or
    sent SIGINT/SIGTERM; prints :func:`banner` to ``out`` (stdout) once listening.

    Raises:
        OSError: the address cannot be bound.
    """
    server = await start_dns_server(cluster, host, port)
    loop = asyncio.get_running_loop()
    runner = asyncio.current_task()
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    installed = []
    for sig in stop_signals:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            if runner is not None:
                loop.add_signal_handler(sig, runner.cancel)
                installed.append(sig)
    try:
        print(banner(cluster, server), file=out or sys.stdout, flush=True)
        await cluster.run()
    except asyncio.CancelledError:
        pass
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        server.close()
        await server.wait_closed()


def run_dns_serve(
    cluster: Cluster,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    err: TextIO | None = None,
) -> int:
    """``stsplay dns-serve``: serve until interrupted; returns the exit status (1 with a
    message on stderr when the address cannot be bound)."""
    try:
        asyncio.run(serve_headless(cluster, host, port))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(
            f"stsplay dns-serve: cannot listen on {host}:{port}: {reason}",
            file=err or sys.stderr,
        )
        return 1
    return 0
