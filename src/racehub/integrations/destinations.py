"""Where vendor calls may go: http(s) to public addresses only, loopback only when explicitly allowed.

Checked before every request and every redirect hop. Link-local addresses (169.254.0.0/16, fe80::/10:
cloud metadata services) are refused even when allowed. A name is resolved and every address it
resolves to must be public; the connection resolves again, so a DNS answer that changes in between
(rebinding) is not caught here; production egress should also be limited at the network edge.
"""

from __future__ import annotations

import ipaddress
import socket

import httpx

from racehub.integrations.base import UnsafeDestinationError, VendorUnavailable


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _is_link_local(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_link_local
    except ValueError:
        return False


def check_destination(url: httpx.URL, allowed_private_hosts: frozenset[str], vendor: str) -> None:
    """Refuse URLs we must never call; raises UnsafeDestinationError before any byte is sent."""
    host = url.host
    if url.scheme not in ("http", "https") or not host:
        raise UnsafeDestinationError(
            f"refusing non-HTTP URL scheme {url.scheme!r}", vendor=vendor, retryable=False
        )
    # Link-local (169.254.0.0/16, fe80::/10) holds cloud metadata services: never, even when allowed.
    if _is_link_local(host):
        raise UnsafeDestinationError(f"refusing link-local address {host}", vendor=vendor, retryable=False)
    if host in allowed_private_hosts:
        return
    try:
        infos = socket.getaddrinfo(
            host, url.port or (443 if url.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise VendorUnavailable(
            f"cannot resolve {host}: {exc.strerror}", vendor=vendor, retryable=True
        ) from exc
    for info in infos:
        address = str(info[4][0])
        if not _address_is_public(address):
            raise UnsafeDestinationError(
                f"refusing {host}: resolves to non-public address {address}", vendor=vendor, retryable=False
            )
