"""Project rules that ruff, mypy and import-linter cannot see (run by `make lint`).

1. Views, API operations and tasks do not write: no `.save()`, no
   `.delete()`, no `objects.create()` (or bulk/get_or/update_or_create), no
   queryset `.update()` or `.delete()` in `views.py`, `views/`, `api.py` or
   `tasks.py`. Writes live in services.
2. Visibility is decided in one place: no `area_codes()` and no literal set of
   workflow statuses outside `accounts/access.py`, `core/workflow.py` and
   `submissions/`.

Usage: python tools/check_rules.py [SRC]   (default: src/observatory)
Prints one line per finding (path:line: rule: what) and exits 1 if any."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

STATUSES = {"draft", "submitted", "returned", "accepted", "published", "superseded"}
STATUS_NAMES = {s.upper() for s in STATUSES}
WRITE_ON_MANAGER = {"create", "bulk_create", "get_or_create", "update_or_create", "bulk_update"}
WRITE_ON_QUERYSET = {"update", "delete"}
QUERYSET_HINTS = {"objects", "filter", "exclude", "all", "select_for_update", "select_related"}
VISIBILITY_HOMES = ("accounts/access.py", "core/workflow.py", "submissions/")


def _chain(node: ast.expr) -> list[str]:
    """Attribute names and called function names along a receiver chain."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names
        else:
            return names


def _is_thin(path: Path) -> bool:
    parts = path.parts
    return path.name in {"views.py", "api.py", "tasks.py"} or "views" in parts[:-1]


def _status_element(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in STATUSES
    return (
        isinstance(node, ast.Attribute)
        and node.attr in STATUS_NAMES
        and "Status" in _chain(node.value)
    )


def check(path: Path, relative: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    thin = _is_thin(Path(relative))
    visibility_home = relative.startswith(VISIBILITY_HOMES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            receiver = _chain(node.func.value)
            if thin:
                if (
                    attr == "save"
                    or (attr == "delete" and receiver[:1] != ["self"])
                    or (attr in WRITE_ON_MANAGER and "objects" in receiver)
                ):
                    found.append(f"{relative}:{node.lineno}: write in a view: .{attr}()")
                elif attr in WRITE_ON_QUERYSET and QUERYSET_HINTS & set(receiver):
                    found.append(f"{relative}:{node.lineno}: write in a view: queryset .{attr}()")
            if attr == "area_codes" and not visibility_home:
                found.append(
                    f"{relative}:{node.lineno}: visibility by hand: area_codes() "
                    "(ask accounts/access.py)"
                )
        if (
            not visibility_home
            and isinstance(node, ast.Set | ast.List | ast.Tuple)
            and sum(_status_element(e) for e in node.elts) >= 2
        ):
            found.append(
                f"{relative}:{node.lineno}: visibility by hand: a literal set of statuses "
                "(use accounts.access.Status)"
            )
    return sorted(found, key=lambda line: int(line.split(":")[1]))


def main(argv: list[str]) -> int:
    src = Path(argv[1] if len(argv) > 1 else "src/observatory")
    findings: list[str] = []
    for path in sorted(src.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        findings += check(path, path.relative_to(src).as_posix())
    for line in findings:
        print(line)
    if findings:
        print(f"{len(findings)} finding(s): see tools/check_rules.py for the rules")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
