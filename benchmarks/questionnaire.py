"""Questionnaire validation benchmark: every rule of a full questionnaire over a
country-year with ten earlier years as history, through the same path as the
entry page (observations read from the database, rules evaluated, messages
named). Target: <= 1 s (issue: "validate a full questionnaire <= 1 s").

Prints `BENCH validate_<questionnaire> ratio=<seconds / 1.0> target=1.0` and
the absolute figures. Runs on a temporary SQLite database."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The benchmarks folder is not a package: keep its files out of the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
TARGET_SECONDS = 1.0
QUESTIONNAIRES = ("UN-CTS", "ARQ-SUPPLY", "ARQ-DEMAND", "TIP")


def main() -> None:
    folder = tempfile.mkdtemp(prefix="observatory-bench-q-")
    os.environ["OBSERVATORY_VAR_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatory.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings

    django.setup()
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)

    from observatory.accounts import services as accounts
    from observatory.accounts.models import Organisation, Role
    from observatory.reference.models import Area
    from observatory.statistics import selectors, services
    from observatory.statistics.cube.loader import load_definitions
    from observatory.statistics.questionnaires import checks
    from observatory.statistics.questionnaires.sections import sections_of
    from observatory.submissions import services as workflow

    load_definitions()
    office = accounts.organisation_create(code="OFFICE", name="Office", kind="office", area=None)
    country = accounts.organisation_create(
        code="COL-NSO",
        name="Statistics",
        kind=Organisation.Kind.STATISTICS,
        area=Area.objects.get(code="COL"),
    )
    focal = accounts.user_create(email="focal@bench.test", password="x" * 20, check_password=False)
    analyst = accounts.user_create(
        email="analyst@bench.test", password="x" * 20, check_password=False
    )
    accounts.membership_grant(user=focal, organisation=country, role=Role.FOCAL_POINT, actor=None)
    accounts.membership_grant(user=analyst, organisation=office, role=Role.ANALYST, actor=None)
    rng = random.Random(7)  # noqa: S311 - benchmark data
    for code in QUESTIONNAIRES:
        questionnaire = selectors.questionnaire_get(code)
        # Open-rows sections (the ARQ's routes): nine countries each, as many as
        # three ranks in three roles can name.
        cells = [
            c
            for s in sections_of(questionnaire.definition, questionnaire.dataflow)
            for c in (s.with_rows(s.open.choices[:9]) if s.open else s).cells.values()
        ]
        version = None
        for year in range(2014, 2025):
            entries = {
                cell.key: services.Entry(value=Decimal(rng.randint(0, 5000))) for cell in cells
            }
            version = services.questionnaire_save(
                questionnaire=questionnaire,
                organisation=country,
                year=year,
                entries=entries,
                actor=focal,
            )
            if year < 2024:
                version = workflow.version_submit(version=version, actor=focal)
                version = workflow.version_accept(version=version, actor=analyst)
                workflow.version_publish(version=version, actor=analyst)
        assert version is not None
        checks.check_version(version, questionnaire, actor=focal)  # warm caches
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            found = checks.check_version(version, questionnaire, actor=focal)
            runs.append(time.perf_counter() - started)
        best = min(runs)
        rules = len(questionnaire.definition.get("rules", []))
        print(
            f"{code}: {len(cells)} cells, {rules} rules, 10 years of history; "
            f"{found.height} violations; best of 3: {best:.3f} s"
        )
        print(
            f"BENCH validate_{code.lower().replace('-', '_')} "
            f"ratio={best / TARGET_SECONDS:.2f} target=1.0"
        )


if __name__ == "__main__":
    main()
