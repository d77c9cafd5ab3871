"""Template helpers for the sign-in pages."""

from __future__ import annotations

import ipaddress

from django import template

register = template.Library()


def is_ip_literal(host: str) -> bool:
    """Whether a Host header names an IP address: "192.0.2.7", "192.0.2.7:8000", "[2001:db8::1]:8000", "::1"."""
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@register.filter
def opened_by_ip(request) -> bool:
    """Passkeys are bound to a domain name (WebAuthn's relying party id): at an IP address the browser
    refuses them with a SecurityError, so the page offers none there."""
    return is_ip_literal(request.get_host())
