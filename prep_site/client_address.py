"""The address a request comes from, as django-axes sees it (AXES_CLIENT_IP_CALLABLE).

Behind a load balancer every request arrives from the balancer's address, so
throttling by that address would lock everyone out together. Each proxy in
front of the app appends the address it was reached from to X-Forwarded-For;
behind ``PREP_PROXY_COUNT`` of them, the client is that many entries from the
right. Anything further left was written by the client itself, so it is never
believed. (django-axes can do this through django-ipware, which prep does not
install; these few lines are the whole of what it needs.)
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.PREP_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        # A proxy that writes something else (a port, "unknown"): keep to the
        # connection's own address rather than store text as an address.
        return remote
