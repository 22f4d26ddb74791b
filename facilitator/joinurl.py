"""The address phones open to join: one that phones in the room can reach."""

from __future__ import annotations

import functools
import ipaddress
import socket
import struct
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, request

WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}
# Interfaces of containers and virtual machines: phones in the room never reach them.
VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "lo")


@dataclass(frozen=True)
class JoinAddress:
    """A session's join link and whether phones other than this computer can open it."""

    base: str
    url: str
    reachable: bool


def is_loopback(host: str) -> bool:
    """Tell whether a host name or address only reaches this computer."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _interface_addresses() -> list[tuple[str, str]]:
    """Return (interface, IPv4 address) pairs of this machine, without sending anything."""
    pairs: list[tuple[str, str]] = []
    if sys.platform.startswith("linux"):
        import fcntl

        siocgifaddr = 0x8915
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            for _index, name in socket.if_nameindex():
                try:
                    packed = struct.pack("256s", name.encode()[:15])
                    raw = fcntl.ioctl(probe.fileno(), siocgifaddr, packed)
                except OSError:
                    continue
                pairs.append((name, socket.inet_ntoa(raw[20:24])))
    if not pairs:
        try:
            for address in socket.gethostbyname_ex(socket.gethostname())[2]:
                pairs.append(("", address))
        except OSError:
            pass
    return pairs


@functools.lru_cache(maxsize=1)
def lan_address() -> str | None:
    """Return this machine's address in the local network, or None when it has none."""
    best: tuple[int, str] | None = None
    for name, text in _interface_addresses():
        address = ipaddress.ip_address(text)
        if address.is_loopback or address.is_link_local or address.is_unspecified:
            continue
        rank = 0 if address.is_private else 1
        if name.startswith(VIRTUAL_PREFIXES):
            rank += 2
        if best is None or rank < best[0]:
            best = (rank, text)
    return best[1] if best else None


def join_base() -> JoinAddress:
    """Return the base address for join links (no path)."""
    config = current_app.config
    if config.get("PUBLIC_URL"):
        base = config["PUBLIC_URL"].rstrip("/")
        return JoinAddress(base, base, not is_loopback(urlsplit(base).hostname or ""))
    here = request.host_url.rstrip("/")
    parts = urlsplit(here)
    if not is_loopback(parts.hostname or ""):
        return JoinAddress(here, here, True)
    listen = config.get("LISTEN_HOST")
    port = config.get("LISTEN_PORT") or parts.port
    if listen is None or is_loopback(listen):
        return JoinAddress(here, here, False)
    host = lan_address() if listen in WILDCARD_HOSTS else listen
    if host is None:
        return JoinAddress(here, here, False)
    if ":" in host:
        host = f"[{host}]"
    base = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    return JoinAddress(base, base, True)


def join_address(workshop) -> JoinAddress:
    """Return the join link of a session and whether phones in the room can open it."""
    base = join_base()
    return JoinAddress(base.base, f"{base.base}/j/{workshop.join_code}", base.reachable)
