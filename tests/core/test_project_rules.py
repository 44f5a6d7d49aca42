"""tools/check_rules.py: the project rules `make lint` checks beyond ruff and mypy."""

from __future__ import annotations

from pathlib import Path

from tools import check_rules


def _findings(tmp_path: Path, relative: str, source: str) -> list[str]:
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return check_rules.check(path, relative)


def test_writes_in_views_api_and_tasks_are_found(tmp_path: Path) -> None:
    source = (
        "def view(request, job, Job):\n"
        "    job.save(update_fields=['options'])\n"
        "    Job.objects.create(name='x')\n"
        "    Job.objects.filter(pk=1).update(status='failed')\n"
        "    context = {}\n"
        "    context.update(a=1)\n"
    )
    for relative in ("intake/views.py", "intake/api.py", "intake/tasks.py", "stats/views/grid.py"):
        found = _findings(tmp_path, relative, source)
        assert [line.split(": ", 1)[0] for line in found] == [
            f"{relative}:2",
            f"{relative}:3",
            f"{relative}:4",
        ], found
    assert _findings(tmp_path, "intake/services.py", source) == []


def test_visibility_by_hand_is_found_outside_the_access_policy(tmp_path: Path) -> None:
    source = (
        "def f(access, user, version, Version):\n"
        "    mine = access.actor_for(user).area_codes()\n"
        "    editable = version.status in {'draft', 'returned'}\n"
        "    shown = [Version.Status.DRAFT, Version.Status.PUBLISHED]\n"
        "    one = version.status == 'draft'\n"
        "    words = ('draft', 'a draft')\n"
    )
    found = _findings(tmp_path, "statistics/views.py", source)
    assert [line.split(": ")[0] for line in found] == [
        "statistics/views.py:2",
        "statistics/views.py:3",
        "statistics/views.py:4",
    ]
    assert _findings(tmp_path, "accounts/access.py", source) == []
    assert _findings(tmp_path, "submissions/services.py", source) == []


def test_the_code_base_keeps_the_rules() -> None:
    root = Path(check_rules.__file__).resolve().parent.parent / "src" / "observatory"
    assert check_rules.main(["check_rules", str(root)]) == 0
