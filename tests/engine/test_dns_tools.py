"""nslookup (busybox and bind), dig and host: golden outputs.

Every expected text below was printed by the real binaries (busybox 1.35 glibc — same
nslookup code and format as ≥1.36 —, bind9-dnsutils 9.18 nslookup/dig/host from Debian
bookworm) querying a throwaway UDP server that served this engine's answers for the same
scenario, and compared byte for byte (dig's id and cookie, WHEN and Query time normalised).
"""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.dns import tools
from engine.result import CommandResult
from tests.engine.dns_scenario import seed_scenario

HEADER_BB = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
HEADER_BIND = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
NO_RA = ";; Got recursion not available from 10.96.0.10\n"
WEB0 = "Name:\tweb-0.nginx.default.svc.cluster.local\nAddress: 10.244.1.10\n"


@pytest.fixture
def seeded(cluster: Cluster) -> Cluster:
    seed_scenario(cluster)
    return cluster


def busybox(cluster: Cluster, line: str, namespace: str = "default") -> CommandResult:
    return tools.run_nslookup(cluster, line.split(), namespace)


def bind(cluster: Cluster, line: str, namespace: str = "default") -> CommandResult:
    return tools.run_nslookup(cluster, line.split(), namespace, flavor="bind")


# -- the seed's scenario, word for word ----------------------------------------------------
def test_seed_nslookup_nginx_returns_both_pod_ips(seeded: Cluster) -> None:
    result = busybox(seeded, "nginx")
    assert result.stdout == (
        HEADER_BB + "Name:\tnginx.default.svc.cluster.local\nAddress: 10.244.1.10\n"
        "Name:\tnginx.default.svc.cluster.local\nAddress: 10.244.2.11\n\n"
        "** server can't find nginx.svc.cluster.local: NXDOMAIN\n\n"
        "** server can't find nginx.cluster.local: NXDOMAIN\n\n"
        "\n"
        "** server can't find nginx.svc.cluster.local: NXDOMAIN\n\n"
        "** server can't find nginx.cluster.local: NXDOMAIN\n\n"
    )
    assert result.code == 1  # busybox: any NXDOMAIN reply sets the exit status
    assert result.stderr == ""


def test_seed_nslookup_fqdn_returns_its_ip(seeded: Cluster) -> None:
    result = busybox(seeded, "web-0.nginx.default.svc.cluster.local")
    assert result.stdout == HEADER_BB + WEB0 + "\n\n"
    assert result.code == 0


# -- §6.3 side by side -----------------------------------------------------------------------
def test_busybox_dotted_short_name_is_not_searched(seeded: Cluster) -> None:
    result = busybox(seeded, "web-0.nginx")
    assert result.stdout == HEADER_BB + ("** server can't find web-0.nginx: NXDOMAIN\n\n" * 2)
    assert result.code == 1


def test_busybox_reverse_lookup(seeded: Cluster) -> None:
    result = busybox(seeded, "10.244.1.10")
    assert result.stdout == HEADER_BB + (
        "10.1.244.10.in-addr.arpa\tname = web-0.nginx.default.svc.cluster.local\n\n"
    )
    assert result.code == 0


def test_bind_nslookup_short_name(seeded: Cluster) -> None:
    result = bind(seeded, "nginx")
    assert result.stdout == (
        NO_RA + HEADER_BIND + "Name:\tnginx.default.svc.cluster.local\nAddress: 10.244.1.10\n"
        "Name:\tnginx.default.svc.cluster.local\nAddress: 10.244.2.11\n" + NO_RA + "\n"
    )
    assert result.code == 0


@pytest.mark.parametrize("name", ["web-0.nginx", "web-0.nginx.default.svc.cluster.local"])
def test_bind_nslookup_follows_ndots_search(seeded: Cluster, name: str) -> None:
    result = bind(seeded, name)
    assert result.stdout == NO_RA + HEADER_BIND + WEB0 + NO_RA + "\n"
    assert result.code == 0


def test_bind_nslookup_reverse_has_no_header_and_a_trailing_dot(seeded: Cluster) -> None:
    result = bind(seeded, "10.244.1.10")
    assert result.stdout == (
        NO_RA + "10.1.244.10.in-addr.arpa\tname = web-0.nginx.default.svc.cluster.local.\n\n"
    )


def test_bind_nslookup_nxdomain(seeded: Cluster) -> None:
    result = bind(seeded, "nosuch")
    assert result.stdout == NO_RA * 3 + HEADER_BIND + "** server can't find nosuch: NXDOMAIN\n\n"
    assert result.code == 1


def test_bind_nslookup_nodata(seeded: Cluster) -> None:
    result = bind(seeded, "default.svc.cluster.local")
    assert result.stdout == (
        NO_RA * 4 + HEADER_BIND + NO_RA + "*** Can't find default.svc.cluster.local: No answer\n\n"
    )
    assert result.code == 0


def test_search_list_depends_on_the_client_namespace(seeded: Cluster) -> None:
    seeded.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    seeded.drain()
    assert (
        "** server can't find nginx.other.svc.cluster.local"
        in busybox(seeded, "nginx", "other").stdout
    )
    result = bind(seeded, "nginx.default", "other")
    assert result.code == 0
    assert "Name:\tnginx.default.svc.cluster.local\n" in result.stdout


# -- busybox options and errors ----------------------------------------------------------------
def test_busybox_srv_type(seeded: Cluster) -> None:
    result = busybox(seeded, "-type=srv _web._tcp.nginx.default.svc.cluster.local")
    owner = "_web._tcp.nginx.default.svc.cluster.local"
    assert result.stdout == HEADER_BB + (
        f"{owner}\tservice = 0 50 80 web-0.nginx.default.svc.cluster.local\n"
        f"{owner}\tservice = 0 50 80 web-1.nginx.default.svc.cluster.local\n\n"
    )


def test_busybox_soa_and_option_prefixes(seeded: Cluster) -> None:
    soa = busybox(seeded, "-q=soa cluster.local").stdout
    assert soa == HEADER_BB + (
        "cluster.local\n\torigin = ns.dns.cluster.local\n\tmail addr = hostmaster.cluster.local\n"
        "\tserial = 1783332000\n\trefresh = 7200\n\tretry = 1800\n\texpire = 86400\n"
        "\tminimum = 30\n\n"
    )
    assert busybox(seeded, "-query=txt dns-version.cluster.local").stdout == HEADER_BB + (
        'dns-version.cluster.local\ttext = "1.1.0"\n\n'
    )


def test_busybox_explicit_server_disables_the_search_list(seeded: Cluster) -> None:
    result = busybox(seeded, "nginx 10.96.0.10")
    assert result.stdout == HEADER_BB + "** server can't find nginx: NXDOMAIN\n\n" * 2


def test_busybox_nodata_prints_nothing(seeded: Cluster) -> None:
    assert busybox(seeded, "default.svc.cluster.local").stdout == HEADER_BB + "\n\n"


def test_busybox_debug(seeded: Cluster) -> None:
    result = busybox(seeded, "-debug web-0.nginx.default.svc.cluster.local")
    assert result.stdout == HEADER_BB + (
        "Query #0 completed in 0ms:\nauthoritative answer:\n" + WEB0 + "\n"
        "Query #1 completed in 0ms:\nauthoritative answer:\n\n"
    )


@pytest.mark.parametrize("line", ["", "-x nginx", "-nodebug nginx", "a b c"])
def test_busybox_usage(seeded: Cluster, line: str) -> None:
    result = busybox(seeded, line)
    assert result.code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("BusyBox v1.36")
    assert lines[0].endswith("multi-call binary.")
    assert lines[1:] == [
        "",
        "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]",
        "",
        "Query DNS about HOST",
        "",
        "QUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("-type=bogus nginx", 'nslookup: invalid query type "bogus"\n'),
        ("-type nginx", 'nslookup: invalid query type ""\n'),
        ("-t=srv nginx", "nslookup: invalid number 'srv'\n"),
        ("-port=0 nginx", "nslookup: number 0 is not in 1..65535 range\n"),
    ],
)
def test_busybox_option_errors(seeded: Cluster, line: str, message: str) -> None:
    result = busybox(seeded, line)
    assert (result.stdout, result.stderr, result.code) == ("", message, 1)


def test_busybox_unreachable_server(seeded: Cluster) -> None:
    result = busybox(seeded, "nginx 8.8.8.8")
    assert result.stdout == ";; connection timed out; no servers could be reached\n\n"
    assert result.code == 1


# -- bind nslookup options -------------------------------------------------------------------
def test_bind_nslookup_srv_via_search(seeded: Cluster) -> None:
    result = bind(seeded, "-type=srv _web._tcp.nginx")
    owner = "_web._tcp.nginx.default.svc.cluster.local"
    assert result.stdout == NO_RA + HEADER_BIND + (
        f"{owner}\tservice = 0 50 80 web-0.nginx.default.svc.cluster.local.\n"
        f"{owner}\tservice = 0 50 80 web-1.nginx.default.svc.cluster.local.\n\n"
    )


def test_bind_nslookup_bad_options_are_reported_and_skipped(seeded: Cluster) -> None:
    result = bind(seeded, "-q=bogus -x web-0.nginx 10.96.0.10")
    assert result.stdout == (
        "unknown query type: bogus\n*** Invalid option: x\n" + HEADER_BIND + WEB0 + "\n"
    )


def test_bind_nslookup_unreachable_server(seeded: Cluster) -> None:
    result = bind(seeded, "nginx 10.96.0.99")
    assert result.stdout == (
        ";; communications error to 10.96.0.99#53: timed out\n" * 3
        + ";; no servers could be reached\n\n"
    )
    assert result.code == 1


def test_unknown_flavor_is_an_error(seeded: Cluster) -> None:
    with pytest.raises(ValueError, match="unknown nslookup flavor"):
        tools.run_nslookup(seeded, ["nginx"], flavor="musl")


# -- dig ---------------------------------------------------------------------------------------
def test_dig_full_output(seeded: Cluster) -> None:
    result = tools.run_dig(seeded, ["nginx.default.svc.cluster.local"])
    assert result.stdout == (
        "\n"
        "; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> nginx.default.svc.cluster.local\n"
        ";; global options: +cmd\n"
        ";; Got answer:\n"
        ";; WARNING: .local is reserved for Multicast DNS\n"
        ";; You are currently testing what happens when an mDNS query is leaked to DNS\n"
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 39433\n"
        ";; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1\n"
        ";; WARNING: recursion requested but not available\n"
        "\n"
        ";; OPT PSEUDOSECTION:\n"
        "; EDNS: version: 0, flags:; udp: 1232\n"
        "; COOKIE: c4b312cbe8d2c7e1 (echoed)\n"
        ";; QUESTION SECTION:\n"
        ";nginx.default.svc.cluster.local. IN\tA\n"
        "\n"
        ";; ANSWER SECTION:\n"
        "nginx.default.svc.cluster.local. 30 IN\tA\t10.244.1.10\n"
        "nginx.default.svc.cluster.local. 30 IN\tA\t10.244.2.11\n"
        "\n"
        ";; Query time: 0 msec\n"
        ";; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n"
        ";; WHEN: Mon Jul 06 10:00:00 UTC 2026\n"
        ";; MSG SIZE  rcvd: 166\n"
        "\n"
    )
    assert result.code == 0


def test_dig_nxdomain_has_the_soa(seeded: Cluster) -> None:
    out = tools.run_dig(seeded, ["nosuch.default.svc.cluster.local"]).stdout
    assert ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 39433\n" in out
    assert ";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1\n" in out
    assert (
        ";; AUTHORITY SECTION:\ncluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. "
        "hostmaster.cluster.local. 1783332000 7200 1800 86400 30\n"
    ) in out
    assert ";; MSG SIZE  rcvd: 166\n" in out


def test_dig_reverse(seeded: Cluster) -> None:
    out = tools.run_dig(seeded, ["-x", "10.244.1.10"]).stdout
    assert ";10.1.244.10.in-addr.arpa.\tIN\tPTR\n" in out
    assert (
        "10.1.244.10.in-addr.arpa. 30\tIN\tPTR\tweb-0.nginx.default.svc.cluster.local.\n"
    ) in out
    assert "mDNS" not in out
    assert ";; MSG SIZE  rcvd: 140\n" in out


def test_dig_short_and_answer_only(seeded: Cluster) -> None:
    srv = tools.run_dig(seeded, ["+short", "SRV", "_web._tcp.nginx.default.svc.cluster.local"])
    assert srv.stdout == (
        "0 50 80 web-0.nginx.default.svc.cluster.local.\n"
        "0 50 80 web-1.nginx.default.svc.cluster.local.\n"
    )
    answer = tools.run_dig(seeded, ["+noall", "+answer", "web-1.nginx.default.svc.cluster.local"])
    assert answer.stdout == "web-1.nginx.default.svc.cluster.local. 30 IN A\t10.244.2.11\n"
    assert tools.run_dig(seeded, ["+short", "nosuch.default.svc.cluster.local"]).stdout == ""


def test_dig_uses_search_only_when_asked(seeded: Cluster) -> None:
    plain = tools.run_dig(seeded, ["nginx"]).stdout
    assert "status: NXDOMAIN" in plain
    assert ";; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n" in plain
    assert ";nginx.\t\t\t\tIN\tA\n" in plain
    searched = tools.run_dig(seeded, ["+short", "+search", "web-0.nginx"])
    assert searched.stdout == "10.244.1.10\n"


def test_dig_ids_come_from_the_seeded_rng(seeded: Cluster) -> None:
    first = tools.run_dig(seeded, ["nginx.default.svc.cluster.local"]).stdout
    second = tools.run_dig(seeded, ["nginx.default.svc.cluster.local"]).stdout
    assert "id: 39433" in first
    assert "id: 39433" not in second


def test_dig_errors_and_unreachable(seeded: Cluster) -> None:
    bad = tools.run_dig(seeded, ["+bogus", "nginx"])
    assert bad.code == 1
    assert bad.stderr.startswith("Invalid option: +bogus\nUsage:  dig [@global-server]")
    warn = tools.run_dig(seeded, ["-t", "bogus", "nginx"])
    assert warn.stderr == ";; Warning, ignoring invalid type bogus\n"
    assert warn.code == 0
    down = tools.run_dig(seeded, ["+short", "@10.96.0.99", "nginx"])
    assert down.stdout == (
        ";; communications error to 10.96.0.99#53: timed out\n" * 3
        + ";; no servers could be reached\n"
    )
    assert down.code == 9


# -- host --------------------------------------------------------------------------------------
def test_host(seeded: Cluster) -> None:
    assert tools.run_host(seeded, ["nginx"]).stdout == (
        "nginx.default.svc.cluster.local has address 10.244.1.10\n"
        "nginx.default.svc.cluster.local has address 10.244.2.11\n"
    )
    missing = tools.run_host(seeded, ["nosuch"])
    assert (missing.stdout, missing.code) == ("Host nosuch not found: 3(NXDOMAIN)\n", 1)
    assert tools.run_host(seeded, ["10.244.1.10"]).stdout == (
        "10.1.244.10.in-addr.arpa domain name pointer web-0.nginx.default.svc.cluster.local.\n"
    )
    gone = tools.run_host(seeded, ["10.244.9.9"])
    assert gone.stdout == "Host 9.9.244.10.in-addr.arpa. not found: 3(NXDOMAIN)\n"
    assert tools.run_host(seeded, ["-t", "aaaa", "nginx"]).stdout == (
        "nginx.default.svc.cluster.local has no AAAA record\n"
    )


def test_host_usage_errors(seeded: Cluster) -> None:
    bad = tools.run_host(seeded, ["-x", "nginx"])
    assert bad.stderr.startswith("host: illegal option -- x\nUsage: host [-aCdilrTvVw]")
    assert bad.code == 1
    typ = tools.run_host(seeded, ["-t", "bogus", "nginx"])
    assert (typ.stderr, typ.code) == ("host: invalid type: bogus\n\n", 2)


# -- resolv.conf -------------------------------------------------------------------------------
def test_resolv_conf(cluster: Cluster) -> None:
    assert tools.resolv_conf(cluster, "prod") == (
        "search prod.svc.cluster.local svc.cluster.local cluster.local\n"
        "nameserver 10.96.0.10\n"
        "options ndots:5\n"
    )


def test_dig_several_lookups_share_one_banner_and_cookie(seeded: Cluster) -> None:
    argv = ["kubernetes.default.svc.cluster.local", "nginx.default.svc.cluster.local", "SRV"]
    out = tools.run_dig(seeded, argv).stdout
    assert out.count("; <<>> DiG") == 1
    assert out.count(";; Got answer:") == 2
    assert ";kubernetes.default.svc.cluster.local. IN A\n" in out
    assert ";nginx.default.svc.cluster.local. IN\tSRV\n" in out
    assert out.count("; COOKIE: c4b312cbe8d2c7e1 (echoed)\n") == 2
    short = tools.run_dig(seeded, ["-x", "10.244.1.10", "-x", "10.244.2.11", "+short"])
    assert short.stdout == (
        "web-0.nginx.default.svc.cluster.local.\nweb-1.nginx.default.svc.cluster.local.\n"
    )


def test_dig_type_options(seeded: Cluster) -> None:
    name = "_web._tcp.nginx.default.svc.cluster.local"
    result = tools.run_dig(seeded, ["+short", "-t", "srv", "-t", "a", name])
    assert result.stderr == ";; Warning, extra type option\n"
    assert set(result.stdout.split()) == {"10.244.1.10", "10.244.2.11"}
    ptr_as_srv = tools.run_dig(seeded, ["-t", "srv", "-x", "10.244.1.10"]).stdout
    assert ";10.1.244.10.in-addr.arpa.\tIN\tSRV\n" in ptr_as_srv


def test_options_whose_output_is_not_simulated_are_refused(seeded: Cluster) -> None:
    host = tools.run_host(seeded, ["-v", "nginx"])
    assert (host.stderr, host.code) == ("host: -v is not simulated in the playground\n", 1)
    ns = bind(seeded, "-debug nginx")
    assert (ns.stderr, ns.code) == ("nslookup: -debug is not simulated in the playground\n", 1)
