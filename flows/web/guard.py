"""The review desk's doors: who may ask (token), from where (Host, Origin) and with what (CSRF token).

Bound to a loopback address the desk answers only requests whose Host names a loopback address
(a DNS-rebinding page names its own host); bound elsewhere it needs a token, and then every
request carries it (header, cookie, or `?token=` once, which sets the cookie). A state-changing
request whose Origin is not the desk itself, or that a browser marks cross-site, is refused.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("localhost",)
TOKEN_COOKIE = "flopledger_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_local_host(host: str) -> bool:
    """A loopback name or address (127.0.0.0/8, ::1, localhost)."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class DeskConfig:
    """What one desk serves and how it guards it; built once by `review serve` (or a test)."""

    warehouse: Path
    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    reviewer: str | None = None           # the default reviewer name on the form
    assumption_set: str = "epoch-2022"    # the set a decision applies to unless "all" is chosen
    known_sets: dict = field(default_factory=dict)  # name -> AssumptionSet, for "what the set assumes"
    lock_wait_seconds: float = 0.0        # how long a decision waits for a `flopledger run` to finish
    csrf_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def host_allowed(self, hostname: str) -> bool:
        """A Host header's name the desk answers to."""
        if is_local_host(hostname):
            return True
        if is_wildcard(self.host):
            return self.token is not None  # any name reaches a wildcard bind; the token guards it
        return hostname.strip("[]").lower() == self.host.strip("[]").lower()

    def csrf_token(self) -> str:
        return hmac.new(self.csrf_secret.encode(), b"review-desk-form", "sha256").hexdigest()

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token())

    def token_ok(self, offered: str | None) -> bool:
        return self.token is None or (bool(offered) and hmac.compare_digest(str(offered), self.token))


def hostname_of(host_header: str) -> str:
    """'127.0.0.1:8765' -> '127.0.0.1'; '[::1]:8765' -> '::1'."""
    return urlsplit(f"//{host_header}").hostname or ""


def offered_token(headers, cookies, query) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-flopledger-token") or query.get("token") or cookies.get(TOKEN_COOKIE)


def refusal(config: DeskConfig, method: str, headers, cookies, query) -> tuple[int, str] | None:
    """(status, reason) when the request must be refused, else None."""
    host = headers.get("host", "")
    if not host or not config.host_allowed(hostname_of(host)):
        return 403, f"unexpected Host header {host!r}: the desk answers on {config.host}:{config.port} only"
    if not config.token_ok(offered_token(headers, cookies, query)):
        return 401, "this desk needs its token: open it with ?token=... or send Authorization: Bearer ..."
    if method not in SAFE_METHODS:
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            return 403, f"cross-origin request refused (Origin {origin!r})"
        if headers.get("sec-fetch-site") == "cross-site":
            return 403, "cross-site request refused"
    return None
