"""The cluster DNS server answering real clients: dnspython, dig, bind's nslookup, busybox.

Every expected value comes from the store (pod IPs the kubelet assigned, the ClusterIP the
allocator chose), never from a hard-coded answer. busybox ``nslookup`` (1.35, Debian) accepts
the server as ``HOST:PORT`` — it prints ``Server: 127.0.0.1:PORT`` and asks that port — so no
test needs port 53 or root.
"""

from __future__ import annotations

import re

import dns.asyncquery
import dns.asyncresolver
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest

from engine.cluster import Cluster
from engine.dns.server import DnsServer, start_dns_server
from tests.e2e.conftest import BIG_PODS, run_tool
from tests.engine.dns_server_helpers import big_ips, seed_cluster

pytestmark = pytest.mark.e2e

NGINX = "nginx.default.svc.cluster.local"
BIG = "big.default.svc.cluster.local"
SRV = "_web._tcp.nginx.default.svc.cluster.local"
NOPE = "nope.default.svc.cluster.local"
SOA_RDATA = "ns.dns.cluster.local. hostmaster.cluster.local."


def pod_ip(cluster: Cluster, name: str) -> str:
    pod = cluster.store.must_get("Pod", "default", name)
    return str(pod["status"]["podIP"])


def web_ips(cluster: Cluster) -> set[str]:
    return {pod_ip(cluster, "web-0"), pod_ip(cluster, "web-1")}


def cluster_ip(cluster: Cluster, service: str) -> str:
    return str(cluster.store.must_get("Service", "default", service)["spec"]["clusterIP"])


def reverse(ip: str) -> str:
    return ".".join(reversed(ip.split("."))) + ".in-addr.arpa"


def resolver_for(server: DnsServer) -> dns.asyncresolver.Resolver:
    res = dns.asyncresolver.Resolver(configure=False)
    res.nameservers = [server.host]
    res.port = server.port
    res.lifetime = 10
    return res


def words(text: str) -> set[str]:
    """Lines with runs of blanks made one space (dig aligns columns with tabs and spaces)."""
    return {" ".join(line.split()) for line in text.splitlines()}


def dig_argv(server: DnsServer, *args: str) -> list[str]:
    return ["dig", f"@{server.host}", "-p", str(server.port), *args]


# -- dnspython --------------------------------------------------------------------------------
async def test_dnspython_resolver(server: DnsServer, big_cluster: Cluster) -> None:
    res = resolver_for(server)
    got = await res.resolve(NGINX, "A")
    assert {r.address for r in got} == web_ips(big_cluster)
    assert got.rrset is not None
    assert got.rrset.ttl == 30
    web0 = await res.resolve(f"web-0.{NGINX}", "A")
    assert [r.address for r in web0] == [pod_ip(big_cluster, "web-0")]
    svc = await res.resolve("my-svc.default.svc.cluster.local", "A")
    assert [r.address for r in svc] == [cluster_ip(big_cluster, "my-svc")]
    srv = await res.resolve(SRV, "SRV")
    assert sorted((r.priority, r.weight, r.port, r.target.to_text()) for r in srv) == [
        (0, 50, 80, f"web-{i}.{NGINX}.") for i in (0, 1)
    ]
    ptr = await res.resolve(reverse(pod_ip(big_cluster, "web-0")), "PTR")
    assert f"web-0.{NGINX}." in {r.target.to_text() for r in ptr}
    with pytest.raises(dns.resolver.NXDOMAIN):
        await res.resolve(NOPE, "A")
    # TC over UDP, then dnspython retries over TCP and gets them all
    big = await res.resolve(BIG, "A")
    assert {r.address for r in big} == set(big_ips(BIG_PODS))


async def test_dnspython_queries_see_flags_soa_and_truncation(server: DnsServer) -> None:
    nx = await dns.asyncquery.udp(
        dns.message.make_query(NOPE, "A"), server.host, port=server.port, timeout=5
    )
    assert nx.rcode() == dns.rcode.NXDOMAIN
    assert nx.flags & dns.flags.AA
    assert [rr.rdtype for rr in nx.authority] == [dns.rdatatype.SOA]
    query = dns.message.make_query(BIG, "A", use_edns=0)
    udp = await dns.asyncquery.udp(query, server.host, port=server.port, timeout=5)
    tcp = await dns.asyncquery.tcp(query, server.host, port=server.port, timeout=5)
    assert udp.flags & dns.flags.TC
    assert len(udp.to_wire()) <= 1232
    assert not tcp.flags & dns.flags.TC
    assert sum(len(rr) for rr in tcp.answer) == BIG_PODS


# -- dig --------------------------------------------------------------------------------------
async def test_dig_answers(server: DnsServer, big_cluster: Cluster) -> None:
    run = await run_tool(*dig_argv(server, NGINX))
    assert run.rc == 0
    assert re.search(r"status: NOERROR, id: \d+", run.out)
    assert ";; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1" in run.out
    assert "; EDNS: version: 0, flags:; udp: 1232" in run.out
    assert {f"{NGINX}. 30 IN A {ip}" for ip in web_ips(big_cluster)} <= words(run.out)
    assert f"SERVER: 127.0.0.1#{server.port}(127.0.0.1) (UDP)" in run.out
    short = await run_tool(*dig_argv(server, f"web-1.{NGINX}", "+short"))
    assert short.out == pod_ip(big_cluster, "web-1") + "\n"
    svc = await run_tool(*dig_argv(server, "my-svc.default.svc.cluster.local", "+short"))
    assert svc.out == cluster_ip(big_cluster, "my-svc") + "\n"


async def test_dig_srv_ptr_and_nxdomain(server: DnsServer, big_cluster: Cluster) -> None:
    srv = await run_tool(*dig_argv(server, SRV, "SRV", "+noall", "+answer", "+additional"))
    lines = words(srv.out)
    for i in (0, 1):
        assert f"{SRV}. 30 IN SRV 0 50 80 web-{i}.{NGINX}." in lines
        assert f"web-{i}.{NGINX}. 30 IN A {pod_ip(big_cluster, f'web-{i}')}" in lines
    ptr = await run_tool(*dig_argv(server, "-x", pod_ip(big_cluster, "web-0"), "+short"))
    assert f"web-0.{NGINX}." in ptr.out.splitlines()
    nx = await run_tool(*dig_argv(server, NOPE))
    assert "status: NXDOMAIN" in nx.out
    assert ";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1" in nx.out
    soa = [line for line in words(nx.out) if " IN SOA " in line]
    assert len(soa) == 1
    assert re.fullmatch(
        rf"cluster\.local\. 30 IN SOA {re.escape(SOA_RDATA)} \d+ 7200 1800 86400 30", soa[0]
    )


async def test_dig_big_headless_service_tc_over_udp_whole_over_tcp(server: DnsServer) -> None:
    want = set(big_ips(BIG_PODS))
    udp = await run_tool(*dig_argv(server, BIG, "+ignore", "+noedns"))
    assert ";; flags: qr aa tc rd;" in udp.out
    got = set(re.findall(r"\tA\t(\S+)$", udp.out, re.M))
    assert got
    assert got < want
    size = int(re.findall(r"MSG SIZE  rcvd: (\d+)", udp.out)[0])
    assert size <= 512
    retried = await run_tool(*dig_argv(server, BIG))
    assert ";; Truncated, retrying in TCP mode." in retried.out
    assert f"ANSWER: {BIG_PODS}," in retried.out
    assert set(re.findall(r"\tA\t(\S+)$", retried.out, re.M)) == want
    assert "(TCP)" in retried.out
    tcp = await run_tool(*dig_argv(server, BIG, "+tcp", "+short"))
    assert set(tcp.out.split()) == want


async def test_dig_keeps_one_tcp_connection_for_several_queries(
    server: DnsServer, big_cluster: Cluster
) -> None:
    run = await run_tool(
        *dig_argv(server, "+tcp", "+keepopen", "+short", NGINX, f"web-0.{NGINX}", BIG, NOPE)
    )
    assert run.rc == 0
    lines = run.out.split()
    assert set(lines) == web_ips(big_cluster) | set(big_ips(BIG_PODS))
    assert lines.count(pod_ip(big_cluster, "web-0")) == 2  # in nginx's answer and web-0's
    assert server.handler.stats["tcp_connections"] == 1


# -- bind nslookup ----------------------------------------------------------------------------
def nslookup_argv(server: DnsServer, *args: str) -> list[str]:
    return ["nslookup", f"-port={server.port}", *args, server.host]


async def test_bind_nslookup(server: DnsServer, big_cluster: Cluster) -> None:
    run = await run_tool(*nslookup_argv(server, NGINX))
    assert run.rc == 0
    assert f"Server:\t\t127.0.0.1\nAddress:\t127.0.0.1#{server.port}\n" in run.out
    assert "Non-authoritative answer" not in run.out
    assert set(re.findall(r"^Address: (\S+)$", run.out, re.M)) == web_ips(big_cluster)
    svc = await run_tool(*nslookup_argv(server, "my-svc.default.svc.cluster.local"))
    assert re.findall(r"^Address: (\S+)$", svc.out, re.M) == [cluster_ip(big_cluster, "my-svc")]
    srv = await run_tool(*nslookup_argv(server, "-type=srv", SRV))
    assert f"{SRV}\tservice = 0 50 80 web-0.{NGINX}." in srv.out
    ip = pod_ip(big_cluster, "web-0")
    ptr = await run_tool(*nslookup_argv(server, ip))
    assert f"{reverse(ip)}\tname = web-0.{NGINX}." in ptr.out
    nx = await run_tool(*nslookup_argv(server, NOPE))
    assert nx.rc == 1
    assert f"** server can't find {NOPE}: NXDOMAIN" in nx.out


async def test_bind_nslookup_retries_a_truncated_answer_over_tcp(server: DnsServer) -> None:
    run = await run_tool(*nslookup_argv(server, BIG))
    assert ";; Truncated, retrying in TCP mode." in run.out
    assert set(re.findall(r"^Address: (\S+)$", run.out, re.M)) == set(big_ips(BIG_PODS))


# -- busybox nslookup -------------------------------------------------------------------------
def busybox_argv(server: DnsServer, *args: str) -> list[str]:
    return ["busybox", "nslookup", *args, f"{server.host}:{server.port}"]


async def test_busybox_nslookup(server: DnsServer, big_cluster: Cluster) -> None:
    run = await run_tool(*busybox_argv(server, NGINX))
    assert run.rc == 0
    assert run.out.startswith(
        f"Server:\t\t127.0.0.1:{server.port}\nAddress:\t127.0.0.1:{server.port}\n\n"
    )
    assert set(re.findall(r"^Address: (\S+)$", run.out, re.M)) == web_ips(big_cluster)
    one = await run_tool(*busybox_argv(server, f"web-0.{NGINX}"))
    assert re.findall(r"^Address: (\S+)$", one.out, re.M) == [pod_ip(big_cluster, "web-0")]
    srv = await run_tool(*busybox_argv(server, "-type=srv", SRV))
    assert f"{SRV}\tservice = 0 50 80 web-1.{NGINX}" in srv.out
    ip = pod_ip(big_cluster, "web-1")
    ptr = await run_tool(*busybox_argv(server, ip))
    assert f"{reverse(ip)}\tname = web-1.{NGINX}" in ptr.out
    nx = await run_tool(*busybox_argv(server, NOPE))
    assert nx.rc == 1
    assert f"** server can't find {NOPE}: NXDOMAIN" in nx.out


async def test_busybox_nslookup_shows_what_fits_in_512_bytes(server: DnsServer) -> None:
    # busybox sends no EDNS and never retries over TCP: it prints the truncated answer
    run = await run_tool(*busybox_argv(server, BIG))
    got = set(re.findall(r"^Address: (\S+)$", run.out, re.M))
    assert got
    assert got < set(big_ips(BIG_PODS))


# -- the answer follows the cluster -----------------------------------------------------------
async def test_answer_changes_when_a_pod_is_deleted_and_recreated() -> None:
    cluster = seed_cluster()
    old = web_ips(cluster)
    old_web1 = pod_ip(cluster, "web-1")
    async with await start_dns_server(cluster, "127.0.0.1", 0) as server:
        before = await run_tool(*dig_argv(server, NGINX, "+short"))
        assert set(before.out.split()) == old
        cluster.delete("Pod", "default", "web-1")  # graceful: Terminating, not ready at once
        during = await run_tool(*dig_argv(server, NGINX, "+short"))
        assert set(during.out.split()) == {pod_ip(cluster, "web-0")}
        gone = await run_tool(*dig_argv(server, f"web-1.{NGINX}"))
        assert "status: NXDOMAIN" in gone.out
        cluster.settle()  # the StatefulSet recreates web-1 with a new IP
        after = await run_tool(*dig_argv(server, NGINX, "+short"))
        new_web1 = pod_ip(cluster, "web-1")
        assert new_web1 != old_web1
        assert set(after.out.split()) == {pod_ip(cluster, "web-0"), new_web1}
        back = await run_tool(*busybox_argv(server, f"web-1.{NGINX}"))
        assert re.findall(r"^Address: (\S+)$", back.out, re.M) == [new_web1]
