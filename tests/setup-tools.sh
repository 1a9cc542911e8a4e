#!/usr/bin/env bash
# Installs the real clients the end-to-end tests compare against (Debian packages):
# dig/nslookup (bind9-dnsutils), busybox, tmux and kubectl.
# Idempotent and quiet; skipped when they are all present.
set -eu
need=()
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v busybox >/dev/null 2>&1 || need+=(busybox)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v kubectl >/dev/null 2>&1 || need+=(kubectl)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
