"""A per-address rate limit on sign-in attempts, kept in the Django cache.

Lock-out (django-axes) is per username, so one busy office sharing an address
is never locked out together; this limit is what slows a guesser who tries
many usernames from one address.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/min' -> (30, 60): how many requests in how many seconds."""
    count, _, period = rate.partition("/")
    try:
        return int(count), PERIODS[period.strip().lower()]
    except (KeyError, ValueError) as exc:
        raise ValueError(f"A rate looks like '30/min', not {rate!r}") from exc


def login_rate() -> tuple[int, int]:
    """The configured sign-in rate (REST_FRAMEWORK's 'login' throttle rate, so one setting rules both)."""
    rates: Any = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    return parse_rate(rates["login"])


def hit(scope: str, ident: str | None, limit: int, period: int) -> bool:
    """Count one attempt; True if this attempt is over the limit for the current window.

    A fixed window is enough here: at worst twice the limit gets through at a
    window boundary, which still stops any useful guessing.
    """
    window = int(time.time() // period)
    key = f"waymark:rate:{scope}:{ident or 'unknown'}:{window}"
    # add() is atomic on every cache backend, so two first attempts cannot both start at 1.
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, timeout=period + 5)
        count = 1
    return count > limit


def login_attempt_over_limit(ip_address: str | None) -> bool:
    """Count a sign-in attempt from an address; True once it is over the configured rate."""
    limit, period = login_rate()
    return hit("login", ip_address, limit, period)
