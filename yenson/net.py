"""The client's address, as django-axes should lock it out."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` proxies the address the first proxy saw.

    Each proxy appends the address it received from to X-Forwarded-For, so the
    entry ``count`` places from the right was written by our own first proxy
    and cannot be forged by the client (entries further left can).
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
