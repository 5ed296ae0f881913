"""What stands between the public service and a crawler: rate limits per client network and
overall, and an optional CAPTCHA hook.

Limits are per network prefix (IPv4 /24, IPv6 /48), not per address: one crawler rarely has
only one address, but usually one network.  They are sliding-window counters in memory; a
deployment with several service processes behind a balancer divides the global rate among
them.  The CAPTCHA is a hook (``BANGDIEM_CAPTCHA_VERIFIER``): the deployment plugs in whatever
service it contracts, this code only asks it.
"""

from __future__ import annotations

import importlib
import ipaddress
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from functools import lru_cache

CaptchaVerifier = Callable[[str | None, str], bool]


@lru_cache(maxsize=4096)  # parsed on every request; recent clients come back
def client_prefix(address: str) -> str:
    """The network a client address belongs to, as logged and rate-limited."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


class SlidingWindow:
    """At most ``count`` events per ``seconds`` for each key."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count, self.seconds = count, seconds
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._sweep_at = 100_000

    def allow(self, key: str, now: float | None = None) -> float:
        """0 when allowed (and counted); otherwise the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - self.seconds:
                events.popleft()
            if len(events) >= self.count:
                return events[0] + self.seconds - now
            events.append(now)
            if len(self._events) > self._sweep_at:
                # Forget clients idle for a whole window: memory stays bounded however many
                # networks come once (IPv6 /48s are cheap), and sweeping only when the table
                # doubles keeps the cost per request constant.
                horizon = now - self.seconds
                for idle in [k for k, v in self._events.items() if not v or v[-1] <= horizon]:
                    del self._events[idle]
                self._sweep_at = max(100_000, 2 * len(self._events))
            return 0.0


class RateLimiter:
    def __init__(self, client: tuple[int, float], overall: tuple[int, float]) -> None:
        self.client = SlidingWindow(*client)
        self.overall = SlidingWindow(*overall)

    def wait_for(self, prefix: str) -> float:
        """0 when the request may go on; otherwise how long the client should wait."""
        # The client's own limit first: a network already refused must not use up everyone's
        # allowance (one crawler hammering past its 429s would lock out every citizen).
        return self.client.allow(prefix) or self.overall.allow("*")


def load_verifier(spec: str) -> CaptchaVerifier | None:
    """The configured CAPTCHA verifier (``module:function``), or None when off."""
    if not spec:
        return None
    module_name, _, attribute = spec.partition(":")
    verifier: CaptchaVerifier = getattr(importlib.import_module(module_name), attribute)
    return verifier
