"""Cluster DNS: CoreDNS's answers derived from the store, and the client tools that print them.

* :mod:`~engine.dns.zone` — the indexed view of Namespaces, Services and EndpointSlices (one per
  cluster, watching the store from the start);
* :mod:`~engine.dns.resolver` — ``resolve(cluster, name, type) -> Answer``: one query answered
  as CoreDNS with the kubeadm Corefile answers it;
* :mod:`~engine.dns.records` — :class:`Answer` / :class:`Record`, with ``to_message()`` for
  dnspython; :mod:`~engine.dns.message` — CoreDNS-shaped wire bytes and dig's reply sizes;
* :mod:`~engine.dns.client` — a ClusterFirst pod's resolv.conf and search list;
* :mod:`~engine.dns.render_busybox`, :mod:`~engine.dns.render_bind`, :mod:`~engine.dns.dig` —
  busybox ``nslookup``, bind ``nslookup``/``host`` and ``dig``, byte for byte;
  :mod:`~engine.dns.tools` is their entry point for the command language;
* :mod:`~engine.dns.server`, :mod:`~engine.dns.handler`, :mod:`~engine.dns.encode`,
  :mod:`~engine.dns.wire` — the same answers on a real UDP/TCP socket.
"""
