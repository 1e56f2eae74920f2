"""The visitor's network address, as the limits on submissions and logins see it."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The address of the client that sent the request.

    Connected directly (TRUSTED_PROXIES = 0), that is REMOTE_ADDR. Behind N
    trusted proxies, each appending the address it took the request from to
    X-Forwarded-For, it is the N-th entry from the right: the one the outermost
    trusted proxy wrote. Entries to its left come from the client and prove
    nothing. A header with too few entries or a malformed one gives REMOTE_ADDR
    (the proxy's), so that a client cannot pick the address it is counted under.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
