"""The client's IP address for django-axes, also behind TLS-terminating proxies.

Each proxy appends the address it received the request from to X-Forwarded-For, so with N
trusted proxies the client is the N-th entry from the right; entries further left were sent by
the client itself and prove nothing. (django-ipware's proxy_count instead requires the chain to
have exactly N+1 entries and returns no address when a client adds one of its own, which would
let it escape the per-address lockout.)
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
