"""The request being served, for code far from the view (audit, services).

Set by `RequestContextMiddleware`; background jobs set it themselves with
`acting_as()` so their audit events still say who and for which service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user: Any = None
    service: Any = None
    ip_address: str | None = None


_NOBODY = Actor()
_current: ContextVar[Actor | None] = ContextVar("waymark_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or _NOBODY


@contextmanager
def acting_as(user: Any = None, service: Any = None, ip_address: str | None = None) -> Iterator[Actor]:
    actor = Actor(user=user, service=service, ip_address=ip_address)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def client_ip(request: Any) -> str | None:
    # Behind a proxy, configure it to set REMOTE_ADDR (docs/operations.md);
    # X-Forwarded-For is trivially forged, so it is not read here.
    return request.META.get("REMOTE_ADDR") or None


def set_actor(user: Any = None, service: Any = None, ip_address: str | None = None) -> None:
    """Replace the current actor for the rest of this request (API authentication runs in the view)."""
    _current.set(Actor(user=user, service=service, ip_address=ip_address))


def _reset(token: Any) -> None:
    _current.reset(token)


def _enter(actor: Actor) -> Any:
    return _current.set(actor)
