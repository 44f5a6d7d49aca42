"""The apps' upkeep, which the worker runs when it starts and once a day:
each app registers what it needs (intake: the imports a dead process left,
core/lease.py; the imports never committed past their retention)."""

from __future__ import annotations

from collections.abc import Callable

tasks: list[Callable[[], object]] = []


def run() -> None:
    for task in tasks:
        task()
