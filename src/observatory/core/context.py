"""Where the current action comes from (IP, user agent, channel), for the audit log.

Set by RequestContextMiddleware for web and API requests, and by commands and
tasks for themselves, so services can audit without being handed a request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    via: str = "cli"
    ip_address: str | None = None
    user_agent: str = ""


_current: ContextVar[Origin] = ContextVar("observatory_origin", default=Origin())


def current_origin() -> Origin:
    return _current.get()


@contextmanager
def origin(value: Origin) -> Iterator[None]:
    token = _current.set(value)
    try:
        yield
    finally:
        _current.reset(token)
