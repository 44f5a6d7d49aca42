"""Settings from the environment and the `observatory` console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DATABASE_URL",
            "OBSERVATORY_ENV",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run_python(
        "import observatory.config.settings",
        OBSERVATORY_ENV="production",
        ALLOWED_HOSTS="example.org",
        OBSERVATORY_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "observatory", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
        env={
            **os.environ,
            "OBSERVATORY_ENV": "production",
            "SECRET_KEY": "x" * 64 + "-Yz9!",
            "ALLOWED_HOSTS": "observatory.example.org",
            "OBSERVATORY_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "observatory.config.settings",
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_development_generates_a_secret_key_once_into_var(tmp_path: Path) -> None:
    code = "from observatory.config import settings; print(settings.SECRET_KEY)"
    first = run_python(code, OBSERVATORY_VAR_DIR=str(tmp_path))
    second = run_python(code, OBSERVATORY_VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert (tmp_path / "secret_key").read_text().strip() == first.stdout.strip()
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_debug_is_off_unless_set(tmp_path: Path) -> None:
    code = "from observatory.config import settings; print(settings.DEBUG)"
    assert run_python(code, OBSERVATORY_VAR_DIR=str(tmp_path)).stdout.strip() == "False"
    assert run_python(code, OBSERVATORY_VAR_DIR=str(tmp_path), DEBUG="1").stdout.strip() == "True"


def test_database_url_selects_the_engine(tmp_path: Path) -> None:
    code = "from observatory.config import settings; print(settings.DATABASES['default']['ENGINE'])"
    sqlite = run_python(code, OBSERVATORY_VAR_DIR=str(tmp_path))
    postgres = run_python(
        code, OBSERVATORY_VAR_DIR=str(tmp_path), DATABASE_URL="postgres://u@localhost:5432/obs"
    )
    assert sqlite.stdout.strip() == "django.db.backends.sqlite3"
    assert postgres.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    "command",
    ["list-orgs", "create-token", "load-reference", "createuser", "demo", "serve", "worker"],
)
def test_console_script_runs_commands_with_hyphens(command: str, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "observatory"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [str(script), command, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
        env={**env, "OBSERVATORY_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "usage: observatory" in result.stdout
