"""Checks through the pods' eyes: a DNS name as a pod resolves it, a file in a pod.

``dns`` resolves a name the way a resolver in a pod of the given namespace does (bind and libc
rules, :meth:`engine.dns.client.PodClient.candidates`: a name with fewer than 5 dots is tried
with each search suffix first, then as is; the first answer that is not NXDOMAIN decides), and
compares the set of A records with the pods' IPs — a set, since CoreDNS shuffles the order.
``fileContains`` reads the file from the pod's container (volumes that outlive the pod and the
container's own layer), as ``kubectl exec POD -- cat PATH`` would.
"""

from __future__ import annotations

import re
from typing import Any

from engine import volume_files
from engine.dns.client import PodClient
from engine.dns.records import Answer
from engine.dns.resolver import Resolver
from engine.exercises.context import Context, Outcome, failed, passed
from engine.objects import pod_ip
from engine.store import NotFound


class _UnshuffledResolver(Resolver):
    """The cluster's resolver without the ``loadbalance`` shuffle: a check compares sets, and
    must not draw from ``cluster.rng("dns")`` (that would change what the next ``nslookup``
    of the learner prints)."""

    def _shuffle(self, answer: Answer) -> None:
        return None


def resolve_addresses(ctx: Context, name: str, namespace: str) -> tuple[str, set[str]]:
    """(rcode, A addresses) of ``name`` as looked up from a pod in ``namespace``."""
    resolver = _UnshuffledResolver(ctx.cluster)
    rcode = "NXDOMAIN"
    for candidate in PodClient(ctx.cluster, namespace).candidates(name):
        answer = resolver.resolve(candidate, "A")
        rcode = answer.rcode
        if rcode != "NXDOMAIN":
            return rcode, {r.rdata for r in answer.answer if r.rdtype == "A"}
    return rcode, set()


def dns(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """``name`` resolves, from namespace ``from``, to exactly the IPs of ``pods`` (or is
    NXDOMAIN with ``nxdomain: true``)."""
    name, where = str(fields["name"]), str(fields.get("from") or ctx.namespace)
    rcode, addresses = resolve_addresses(ctx, name, where)
    seen = "NXDOMAIN" if rcode == "NXDOMAIN" else (", ".join(sorted(addresses)) or "no address")
    prefix = f"{name} from namespace {where}"
    if fields.get("nxdomain"):
        if rcode == "NXDOMAIN":
            return passed(f"{prefix}: NXDOMAIN")
        return failed(f"{prefix} resolves to {seen}, want NXDOMAIN")
    ns = ctx.ns(fields)
    wanted: dict[str, str] = {}
    for pod_name in fields["pods"]:
        pod = ctx.get("Pod", ns, str(pod_name))
        ip = pod_ip(pod) if pod is not None else ""
        if not ip:
            state = "does not exist" if pod is None else "has no IP"
            return failed(f"{prefix}: {seen}; pod {pod_name} {state}")
        wanted[ip] = str(pod_name)
    want = ", ".join(f"{ip} ({pod})" for ip, pod in sorted(wanted.items()))
    if rcode == "NXDOMAIN":
        return failed(f"{prefix}: NXDOMAIN, want {want}")
    if addresses != set(wanted):
        return failed(f"{prefix} resolves to {seen}, want {want}")
    return passed(f"{prefix} resolves to {want}")


def file_contains(ctx: Context, fields: dict[str, Any]) -> Outcome:
    """The file at ``path`` in ``pod`` contains ``text`` (and the current IP of each pod of
    ``addressesOf``, pods of the exercise's namespace: a saved DNS answer must be current)."""
    pod, path, text = str(fields["pod"]), str(fields["path"]), str(fields["text"])
    container = fields.get("container")
    try:
        content = volume_files.read_file(
            ctx.cluster, ctx.ns(fields), pod, path, str(container) if container else None
        )
    except NotFound:
        return failed(f"pod {pod} does not exist")
    except volume_files.FsError as exc:
        return failed(f"pod {pod}: {exc}")
    if text not in content:
        return failed(f"{path} in pod {pod} does not contain {text!r} ({_gist(content)})")
    for other in fields.get("addressesOf") or []:
        target = ctx.get("Pod", ctx.namespace, str(other))
        ip = pod_ip(target) if target is not None else ""
        if not ip:
            return failed(f"pod {other} has no IP to look for in {path}")
        if not re.search(rf"(?<![\d.]){re.escape(ip)}(?![\d.]*\d)", content):
            return failed(f"{path} in pod {pod} does not contain {other}'s IP {ip}")
    return passed(f"{path} in pod {pod} contains {text!r}")


def _gist(content: str) -> str:
    excerpt = content.strip().splitlines()[0][:40] if content.strip() else ""
    return f"it starts with {excerpt!r}" if excerpt else "it is empty"
