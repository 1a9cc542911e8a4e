"""The read-only image layer of the simulated container filesystems.

Only what a learner pokes at is modelled: the usual top-level directories of a Linux image, and
for nginx images (``nginx``, ``nginx-slim``…, Debian-based) the extra Debian directories, the
entrypoint, the web root ``/usr/share/nginx/html`` with the stock ``index.html`` and
``50x.html`` and the config under ``/etc/nginx``. Any other image gets the busybox-like base.
Paths are relative (no leading slash); a key ending in ``/`` marks a directory.
"""

from __future__ import annotations

NGINX_INDEX = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

NGINX_50X = """<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"""

NGINX_DEFAULT_CONF = """server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
"""

_BASE_DIRS = (
    "bin/",
    "dev/",
    "etc/",
    "home/",
    "lib/",
    "proc/",
    "root/",
    "run/",
    "sbin/",
    "sys/",
    "tmp/",
    "usr/",
    "usr/bin/",
    "usr/lib/",
    "usr/local/",
    "usr/sbin/",
    "usr/share/",
    "var/",
    "var/log/",
)

_BASE: dict[str, str] = {d: "" for d in _BASE_DIRS}
_BASE["etc/passwd"] = (
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
)

_DEBIAN_DIRS = ("boot/", "media/", "mnt/", "opt/", "srv/", "lib64/", "docker-entrypoint.d/")

_NGINX: dict[str, str] = {
    **_BASE,
    **{d: "" for d in _DEBIAN_DIRS},
    "docker-entrypoint.sh": "#!/bin/sh\n# vim:sw=4:ts=4:et\n\nset -e\n",
    "etc/nginx/": "",
    "etc/nginx/conf.d/": "",
    "etc/nginx/conf.d/default.conf": NGINX_DEFAULT_CONF,
    "usr/share/nginx/": "",
    "usr/share/nginx/html/": "",
    "usr/share/nginx/html/index.html": NGINX_INDEX,
    "usr/share/nginx/html/50x.html": NGINX_50X,
    "var/log/nginx/": "",
}


def image_files(image: str) -> dict[str, str]:
    """The image layer for ``image`` (``registry.k8s.io/nginx-slim:0.21`` → the nginx tree)."""
    repo = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    if repo.startswith("nginx"):
        return _NGINX
    return _BASE
