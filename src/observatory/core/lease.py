"""Who is doing a piece of work, and whether they are still alive.

A job (an import's check or commit) records the process doing it as
``host:pid:start`` (the start time from /proc, so a recycled pid is not taken
for the dead process) and when it claimed the work. On the same host the
process is alive if a process with that pid and start time exists; a job
claimed on another host is presumed alive for LEASE_SECONDS after its last
sign of life, then taken for dead. Work that dies never leaves partial data
(every write is one transaction); the lease only tells that it died."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.utils import timezone

LEASE_SECONDS = 6 * 3600  # another host's work, without a sign of life


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return fields[19]  # field 22 of stat: the start time, in clock ticks
    except (OSError, IndexError):
        return ""


def me() -> str:
    """This process, as a job records its owner."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def alive(owner: str, since: datetime | None) -> bool:
    """Whether the process that recorded `owner` may still be working."""
    host, _sep, rest = owner.partition(":")
    pid_text, _sep, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return since is None or timezone.now() - since < timedelta(seconds=LEASE_SECONDS)
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    return not start or _start_time(pid) == start
