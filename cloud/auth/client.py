"""Who is on the other end of a request: its client address, for the login and reset limits.

Behind a reverse proxy the socket peer is the proxy. Only proxies listed in
``settings.trusted_proxies`` may say otherwise: ``create_app`` then adds uvicorn's
``ProxyHeadersMiddleware`` for exactly those, and `cloud serve` turns off uvicorn's own
default trust of 127.0.0.1, so an X-Forwarded-For from anyone else never counts. IPv6
clients are grouped by /64 (the block one subscriber usually gets), so hopping addresses
inside it does not reset a counter.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection

UNKNOWN = "unknown"


def client_address(request: HTTPConnection) -> str:
    host = request.client.host if request.client else ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:64] or UNKNOWN  # a test client's name, a unix socket
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
