"""Demo statistics: the definition files, the real data-portal export loaded as a
published compilation of the office, UN-CTS answers for a few countries
(2024 published, 2025 in a reporting cycle that is open now), and trafficking
in persons for 2024 published for Spain and the Netherlands, with a few counts
under the structure's disclosure rule (the public sees them as "<5")."""

from __future__ import annotations

import io
import random
import tempfile
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

import observatory.statistics
from observatory.accounts.models import Organisation, Role, User
from observatory.demo import annex
from observatory.intake import services as intake
from observatory.intake.models import ImportJob
from observatory.statistics import selectors, services
from observatory.statistics.cube.loader import load_definitions
from observatory.statistics.formats.drafting import draft_from_annex
from observatory.statistics.models import ReportingCycle
from observatory.statistics.questionnaires.sections import sections_of
from observatory.statistics.services import Entry
from observatory.submissions import services as workflow
from observatory.submissions.models import Submission, Version

PORTAL_SAMPLE = (
    Path(observatory.statistics.__file__).parent
    / "samples"
    / "data_cts_violent_and_sexual_crime.csv"
)
PORTAL_FLOW = "DF_CTS_VIOLENT_SEXUAL"
SAMPLES = Path(observatory.statistics.__file__).parent / "samples"
# The other families of the portal's long layout (samples/families/, made by
# tools/make_family_files.py in each family's layout).
FAMILIES = {
    "DF_CTS_HOMICIDE": "data_cts_intentional_homicide.csv",
    "DF_CTS_CORRUPTION": "data_cts_corruption_and_economic_crime.csv",
    "DF_CTS_JUSTICE": "data_cts_access_and_functioning_of_justice.csv",
    "DF_CTS_PRISONS": "data_cts_prisons_and_prisoners.xlsx",
    "DF_FIREARMS": "data_iafq_firearms_trafficking.csv",
    "DF_TIP_PORTAL": "data_glotip.xlsx",
}
# Offences per 100,000 people a year, roughly the scale countries report.
OFFENCE_RATES = {
    "ICCS0101": 6,
    "ICCS0102": 8,
    "ICCS0201": 300,
    "ICCS020111": 60,
    "ICCS020221": 2,
    "ICCS0204": 0.5,
    "ICCS0301": 40,
    "ICCS03011": 15,
    "ICCS03012": 20,
    "ICCS0302": 3,
    "ICCS0401": 90,
    "ICCS0501": 300,
    "ICCS0502": 1200,
    "ICCS050211": 150,
    "ICCS0601": 200,
    "ICCS0701": 250,
    "ICCS0703": 5,
    "ICCS07031": 3,
    "ICCS07041": 1,
    "ICCS08051": 2,
    "ICCS0905": 1,
}
POPULATION = {"COL": 52_000_000, "ESP": 48_000_000, "NLD": 17_800_000, "THA": 71_700_000}


def _compilation(
    analyst: User,
    say: Callable[[str], None],
    *,
    path: Path,
    dataflow: str,
    dataset: str,
    decimal_mark: str = "",
) -> None:
    """One file the office compiles, imported as the office and published."""
    office = Organisation.objects.get(code="OFFICE")
    if Submission.objects.filter(organisation=office, label=dataflow).exists():
        return
    with transaction.atomic():
        upload, _created = intake.upload_store(
            stream=io.BytesIO(path.read_bytes()),
            filename=path.name,
            organisation=office,
            dataset=dataset,
            actor=analyst,
        )
        job = intake.job_create(
            upload=upload,
            label=dataflow,
            options={"decimal_mark": decimal_mark} if decimal_mark else None,
            actor=analyst,
        )
        job = intake.job_validate(job=job)
        job = intake.job_commit(job=job, actor=analyst)
        if job.status != ImportJob.Status.COMMITTED or job.version is None:
            raise RuntimeError(f"demo import of {path.name} ended as {job.status}: {job.message}")
        version = workflow.version_submit(version=job.version, actor=analyst)
        version = workflow.version_accept(version=version, actor=analyst)
        workflow.version_publish(version=version, actor=analyst)
    say(f"  {dataflow}: {job.version.row_count} observations published ({path.name})")


def _portal(analyst: User, say: Callable[[str], None]) -> None:
    """The real portal export, then a file in the layout of every other family
    the portal publishes, then the annex tables of the drug report."""
    portal = "observations-unodc-portal"
    _compilation(analyst, say, path=PORTAL_SAMPLE, dataflow=PORTAL_FLOW, dataset=portal)
    for dataflow, name in FAMILIES.items():
        _compilation(
            analyst,
            say,
            path=SAMPLES / "families" / name,
            dataflow=dataflow,
            dataset=portal,
            decimal_mark=".",
        )
    office = Organisation.objects.get(code="OFFICE")
    with tempfile.TemporaryDirectory() as folder:
        for dataflow, sheets in annex.TABLES.items():
            path = annex.workbook(Path(folder) / f"annex-{dataflow.lower()}.xlsx", sheets)
            if (
                dataflow == "DF_DRUG_PREVALENCE"
                and not Submission.objects.filter(organisation=office, label=dataflow).exists()
            ):
                # The table names an age group (15-65) the list lacks: the
                # office adds it in a new version, as `define dataflow` does.
                draft = draft_from_annex(path, dataflow=dataflow)
                if draft.changes:
                    services.definitions_save(draft.document(), source=path.name, actor=analyst)
            _compilation(
                analyst,
                say,
                path=path,
                dataflow=dataflow,
                dataset="observations-annex",
                decimal_mark=".",
            )


def _answers(area: str, year: int, rng: random.Random) -> dict[str, Entry]:
    people = POPULATION[area] / 100_000
    entries = {}
    for code, rate in OFFENCE_RATES.items():
        value = round(rate * people * rng.uniform(0.85, 1.15) * (1 + (year - 2024) * 0.03))
        entries[f"OFFENCES.{code}._T._T._T._T._T.COUNT"] = Entry(value=Decimal(value))
    rape = entries["OFFENCES.ICCS03011._T._T._T._T._T.COUNT"].value or Decimal(0)
    assault = entries["OFFENCES.ICCS03012._T._T._T._T._T.COUNT"].value or Decimal(0)
    entries["OFFENCES.ICCS0301._T._T._T._T._T.COUNT"] = Entry(
        value=rape + assault + Decimal(round(people * 3))
    )
    total = round(people * 900)
    men = round(total * 0.82)
    entries["PERSONS_CONTACT._T._T._T._T._T._T.COUNT"] = Entry(value=Decimal(total))
    entries["PERSONS_CONTACT._T.M._T._T._T._T.COUNT"] = Entry(value=Decimal(men))
    entries["PERSONS_CONTACT._T.F._T._T._T._T.COUNT"] = Entry(value=Decimal(total - men))
    entries["PRISONERS._T._T._T._T._T._T.COUNT"] = Entry(value=Decimal(round(people * 120)))
    entries["PRISONERS_UNSENTENCED._T._T._T._T._T._T.COUNT"] = Entry(
        value=Decimal(round(people * 35))
    )
    entries["OFFENCES.ICCS0905._T._T._T._T._T.COUNT"] = Entry(status="L")
    return entries


# Victims detected in a year by sex and age (Spain's scale; others scaled), and
# the shares of the forms of exploitation; a few rare forms stay small counts.
TIP_VICTIMS = {
    ("F", "Y_GE18"): 251,
    ("F", "Y0T17"): 45,
    ("F", "_U"): 2,
    ("M", "Y_GE18"): 97,
    ("M", "Y0T17"): 12,
    ("M", "_U"): 1,
    ("_U", "Y_GE18"): 3,
    ("_U", "Y0T17"): 1,
}
TIP_FORMS = {"SEXUAL": 0.51, "FORCED_LABOUR": 0.36, "CRIMINAL_ACTIVITY": 0.05, "MIXED": 0.03}
TIP_RARE_FORMS = {"BEGGING": 3, "FORCED_MARRIAGE": 2, "ORGAN_REMOVAL": 1}
TIP_SCALE = {"ESP": 1.0, "NLD": 0.55}


def _tip_answers(scale: float) -> dict[str, Entry]:
    """A consistent TIP answer: sexes and ages add up, forms of exploitation
    add up to all victims, persons convicted fewer than prosecuted."""

    def key(indicator: str, sex: str = "_T", age: str = "_T", form: str = "_T") -> str:
        return f"{indicator}.{sex}.{age}.{form}._T.COUNT"

    cells = {part: round(count * scale) for part, count in TIP_VICTIMS.items()}
    totals: dict[tuple[str, str], int] = {}
    for (sex, age), count in cells.items():
        for where in ((sex, age), (sex, "_T"), ("_T", age), ("_T", "_T")):
            totals[where] = totals.get(where, 0) + count
    entries = {
        key("VICTIMS", sex, age): Entry(value=Decimal(n)) for (sex, age), n in totals.items()
    }
    victims = totals[("_T", "_T")]
    forms = {form: round(victims * share) for form, share in TIP_FORMS.items()}
    forms.update(TIP_RARE_FORMS)
    forms["_U"] = victims - sum(forms.values())
    for form, count in forms.items():
        entries[key("VICTIMS", form=form)] = Entry(value=Decimal(count))
    for indicator, men, women in (
        ("PERSONS_PROSECUTED", round(80 * scale), round(15 * scale)),
        ("PERSONS_CONVICTED", round(35 * scale), 4 if scale >= 1 else 2),
    ):
        entries[key(indicator)] = Entry(value=Decimal(men + women))
        entries[key(indicator, "M")] = Entry(value=Decimal(men))
        entries[key(indicator, "F")] = Entry(value=Decimal(women))
    return entries


def _tip(analyst: User, say: Callable[[str], None]) -> None:
    tip = selectors.questionnaire_get("TIP")
    for area, scale in TIP_SCALE.items():
        organisation = Organisation.objects.filter(area_id=area).order_by("code").first()
        focal = User.objects.filter(
            memberships__organisation__area_id=area, memberships__role=Role.FOCAL_POINT
        ).first()
        label = services.questionnaire_label(tip, 2024)
        if organisation is None or focal is None:
            continue
        if Version.objects.filter(
            submission__organisation=organisation, submission__label=label
        ).exists():
            continue
        with transaction.atomic():
            version = services.questionnaire_save(
                questionnaire=tip,
                organisation=organisation,
                year=2024,
                entries=_tip_answers(scale),
                actor=focal,
            )
            version = workflow.version_submit(version=version, actor=focal)
            version = workflow.version_accept(version=version, actor=analyst)
            workflow.version_publish(version=version, actor=analyst)
        say(f"  TIP 2024 {area}: published")


def load_demo_statistics(*, say: Callable[[str], None] = print) -> None:
    load_definitions()
    analyst = User.objects.filter(memberships__role=Role.ANALYST).order_by("pk").first()
    if analyst is None:
        raise RuntimeError("the demo world has no analyst: run build_demo_world first")
    _portal(analyst, say)
    cts = selectors.questionnaire_get("UN-CTS")
    sections_of(cts.definition, cts.dataflow)
    today = timezone.localdate()
    if not ReportingCycle.objects.filter(questionnaire=cts, year=today.year - 1).exists():
        services.cycle_create(
            questionnaire=cts,
            year=today.year - 1,
            opens_on=today - timedelta(days=60),
            deadline=today + timedelta(days=30),
            actor=analyst,
        )
    rng = random.Random(42)  # noqa: S311 - demo data, not secrets
    for area in ("COL", "ESP", "NLD"):
        organisation = Organisation.objects.filter(area_id=area).order_by("code").first()
        focal = User.objects.filter(
            memberships__organisation__area_id=area, memberships__role=Role.FOCAL_POINT
        ).first()
        if organisation is None or focal is None:
            continue
        label = services.questionnaire_label(cts, 2024)
        if Version.objects.filter(
            submission__organisation=organisation, submission__label=label
        ).exists():
            continue
        with transaction.atomic():
            version = services.questionnaire_save(
                questionnaire=cts,
                organisation=organisation,
                year=2024,
                entries=_answers(area, 2024, rng),
                actor=focal,
            )
            version = workflow.version_submit(version=version, actor=focal)
            version = workflow.version_accept(version=version, actor=analyst)
            workflow.version_publish(version=version, actor=analyst)
        say(f"  UN-CTS 2024 {area}: published")
    # Spain has already answered this year's round (with one inconsistency).
    spain = Organisation.objects.filter(area_id="ESP").order_by("code").first()
    focal = User.objects.filter(
        memberships__organisation__area_id="ESP", memberships__role=Role.FOCAL_POINT
    ).first()
    label = services.questionnaire_label(cts, today.year - 1)
    if (
        spain
        and focal
        and not Version.objects.filter(
            submission__organisation=spain, submission__label=label
        ).exists()
    ):
        answers = _answers("ESP", today.year - 1, rng)
        answers["PERSONS_CONTACT._T.M._T._T._T._T.COUNT"] = Entry(value=Decimal(400_000))
        version = services.questionnaire_save(
            questionnaire=cts, organisation=spain, year=today.year - 1, entries=answers, actor=focal
        )
        workflow.version_submit(version=version, actor=focal)
        say(f"  UN-CTS {today.year - 1} ESP: submitted")
    _tip(analyst, say)
