"""The Excel round trip of a questionnaire: a template pre-filled, protected and
with drop-down lists; filled offline like a respondent would (openpyxl), it goes
through the intake engine (upload, dry run, commit) into the year's draft, with
errors naming the sheet and cell; a changed layout is refused."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from observatory.accounts.models import Organisation, Role
from observatory.core.models import AuditEvent
from observatory.intake import registry
from observatory.intake import services as intake
from observatory.intake.models import ImportIssue, ImportJob, Upload
from observatory.intake.report import report_text
from observatory.statistics import selectors, services
from observatory.statistics.cube import loader
from observatory.statistics.formats.workbook.handler import TemplateHandler
from observatory.statistics.formats.workbook.layout import (
    TEMPLATE_DATASET,
    TemplateRefused,
    parse_ref,
)
from observatory.statistics.formats.workbook.reader import open_template
from observatory.statistics.formats.workbook.template import build_template
from observatory.statistics.models import Observation
from observatory.statistics.services import Entry
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db

HOMICIDE = "OFFENCES.ICCS0101._T._T._T._T._T.COUNT"
ASSAULT = "OFFENCES.ICCS0201._T._T._T._T._T.COUNT"
SEXUAL = "OFFENCES.ICCS0301._T._T._T._T._T.COUNT"
RAPE = "OFFENCES.ICCS03011._T._T._T._T._T.COUNT"
THEFT = "OFFENCES.ICCS0502._T._T._T._T._T.COUNT"
BURGLARY = "OFFENCES.ICCS0501._T._T._T._T._T.COUNT"
CONTACT_T = "PERSONS_CONTACT._T._T._T._T._T._T.COUNT"
CONTACT_M = "PERSONS_CONTACT._T.M._T._T._T._T.COUNT"
CONTACT_F = "PERSONS_CONTACT._T.F._T._T._T._T.COUNT"


@pytest.fixture(autouse=True)
def _handler(monkeypatch: pytest.MonkeyPatch) -> None:
    # Until StatisticsConfig.ready() registers it.
    monkeypatch.setitem(registry._registry.handlers, TEMPLATE_DATASET, TemplateHandler())


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    office = factories.office()
    col = factories.agency("COL", Organisation.Kind.STATISTICS)
    return {
        "cts": selectors.questionnaire_get("UN-CTS"),
        "col": col,
        "focal": factories.member(Role.FOCAL_POINT, col, email="fp@col.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@o.test"),
    }


def save(world: dict[str, Any], entries: dict[str, Entry], year: int = 2025) -> Version:
    return services.questionnaire_save(
        questionnaire=world["cts"],
        organisation=world["col"],
        year=year,
        entries=entries,
        actor=world["focal"],
    )


def template(world: dict[str, Any], year: int = 2025) -> openpyxl.Workbook:
    data = build_template(world["cts"], organisation=world["col"], year=year, actor=world["focal"])
    return openpyxl.load_workbook(io.BytesIO(data))


def places(book: openpyxl.Workbook) -> dict[str, dict[str, str]]:
    """key -> {"value cell": "Offences!C6", ...}, from the hidden cell map."""
    rows = list(book["_cells"].iter_rows(values_only=True))
    header = list(rows[0])
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def cell(book: openpyxl.Workbook, reference: str, right: int = 0) -> Any:
    sheet, row, col = parse_ref(reference)
    return book[sheet].cell(row=row + 1, column=col + 1 + right)


def put(book: openpyxl.Workbook, key: str, what: str, value: Any) -> None:
    cell(book, places(book)[key][f"{what} cell"]).value = value


def saved(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


def upload(world: dict[str, Any], path: Path, *, organisation: Any = None) -> ImportJob:
    with path.open("rb") as stream:
        stored, _created = intake.upload_store(
            stream=stream,
            filename=path.name,
            organisation=organisation or world["col"],
            dataset=TEMPLATE_DATASET,
            actor=world["focal"],
        )
    job = intake.job_create(upload=stored, actor=world["focal"])
    return intake.job_validate(job=job)


def observations(version: Version) -> dict[str, tuple[Any, ...]]:
    return {
        o.key: (o.value, o.obs_status, o.conf_status, o.comment)
        for o in Observation.objects.filter(version=version)
    }


def test_the_template_is_prefilled_protected_and_has_drop_down_lists(
    world: dict[str, Any],
) -> None:
    last_year = save(world, {HOMICIDE: Entry(value=Decimal("11000"))}, year=2024)
    workflow.version_submit(version=last_year, actor=world["focal"])
    workflow.version_accept(version=last_year, actor=world["analyst"])
    workflow.version_publish(version=last_year, actor=world["analyst"])
    draft = save(
        world,
        {
            HOMICIDE: Entry(value=Decimal("12500")),
            THEFT: Entry(status="L"),
            SEXUAL: Entry(
                value=Decimal("120"), status="E", confidential=True, comment="police estimate"
            ),
        },
    )
    book = template(world)

    assert book.sheetnames[:3] == ["_cells", "Cover", "Offences"]
    assert book.sheetnames[-2:] == ["Notes", "_template"]
    assert book["_cells"].sheet_state == book["_template"].sheet_state == "veryHidden"
    assert book.active.title == "Cover"
    assert book.security is not None
    assert book.security.lockStructure
    for sheet in book.worksheets:
        assert sheet.protection.sheet, sheet.title
        assert not sheet.protection.password
    cover = "\n".join(str(v) for row in book["Cover"].iter_rows(values_only=True) for v in row if v)
    assert "UN-CTS, version 2024.1" in cover
    assert "COL · Colombia" in cover
    assert "not applicable" in cover

    where = places(book)
    assert len(where) == 325
    homicide = cell(book, where[HOMICIDE]["value cell"])
    assert where[HOMICIDE]["value cell"] == "Offences!C6"
    assert homicide.value == 12500
    assert homicide.protection.locked is False
    assert cell(book, where[HOMICIDE]["status cell"]).protection.locked is False
    assert book["Offences"]["B6"].value == "Intentional homicide"
    assert book["Offences"]["B6"].protection.locked is True
    previous = cell(book, where[HOMICIDE]["value cell"], right=2)
    assert (previous.value, previous.protection.locked) == (11000, True)
    assert book["Offences"]["E5"].value == "2024"
    assert cell(book, where[THEFT]["status cell"]).value == "not available"
    assert cell(book, where[THEFT]["value cell"]).value is None
    assert cell(book, where[SEXUAL]["value cell"]).value == 120
    assert cell(book, where[SEXUAL]["status cell"]).value == "estimated"
    assert cell(book, where[SEXUAL]["confidential cell"]).value == "yes"
    assert cell(book, where[SEXUAL]["comment cell"]).value == "police estimate"
    assert cell(book, where[SEXUAL]["comment cell"]).protection.locked is False
    assert book["Offences"].column_dimensions["A"].hidden

    rules = {
        (v.type, v.operator, v.formula1): str(v.sqref)
        for v in book["Offences"].data_validations.dataValidation
    }
    assert rules[("decimal", "greaterThanOrEqual", "0")] == "C6:C26"
    lists = [k for k in rules if k[0] == "list"]
    assert len(lists) == 1
    assert "not available" in lists[0][2]
    assert "not applicable" in lists[0][2]
    contact = {str(v.sqref) for v in book["Contact"].data_validations.dataValidation}
    assert {"C6:C16", "D6:D16", "F6:F16", "G6:G16"} <= contact
    notes = {v.type for v in book["Notes"].data_validations.dataValidation}
    assert notes == {"list", "textLength"}
    # The draft is not published: handing it out in a file is audited.
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, object_id=str(draft.pk)
    ).exists()


def test_a_filled_template_goes_through_intake_into_the_draft(
    world: dict[str, Any], tmp_path: Path
) -> None:
    draft = save(
        world,
        {
            HOMICIDE: Entry(value=Decimal("12500")),
            THEFT: Entry(status="L"),
            SEXUAL: Entry(value=Decimal("120"), status="E"),
        },
    )
    book = template(world)
    put(book, CONTACT_T, "value", 50)
    put(book, CONTACT_M, "value", 40)
    put(book, CONTACT_F, "value", 9.5)
    put(book, CONTACT_F, "confidential", "yes")
    put(book, ASSAULT, "value", "1 250")  # typed as text, read as the browser reads it
    put(book, BURGLARY, "status", "not available")
    put(book, BURGLARY, "comment", "burglary is recorded with theft")
    put(book, SEXUAL, "value", None)  # emptied: removed from the draft
    put(book, SEXUAL, "status", None)
    path = saved(book, tmp_path / "cts-col-2025.xlsx")

    job = upload(world, path)
    assert job.status == ImportJob.Status.VALIDATED, report_text(job)
    assert (job.rows_total, job.errors, job.warnings) == (325, 0, 0)
    job = intake.job_commit(job=job, actor=world["focal"])
    assert job.status == ImportJob.Status.COMMITTED
    assert job.version_id == draft.pk  # the year's draft, as the browser saves it
    expected = {
        HOMICIDE: (Decimal("12500"), "A", "F", ""),
        THEFT: (None, "L", "F", ""),
        ASSAULT: (Decimal("1250"), "A", "F", ""),
        BURGLARY: (None, "L", "F", "burglary is recorded with theft"),
        CONTACT_T: (Decimal("50"), "A", "F", ""),
        CONTACT_M: (Decimal("40"), "A", "F", ""),
        CONTACT_F: (Decimal("9.5"), "A", "C", ""),
    }
    assert observations(draft) == expected

    # The same file again: nothing changes.
    versions = Version.objects.count()
    again = upload(world, path)
    assert Upload.objects.filter(dataset=TEMPLATE_DATASET).count() == 1
    again = intake.job_commit(job=again, actor=world["focal"])
    assert again.status == ImportJob.Status.DUPLICATE
    assert observations(draft) == expected
    assert Version.objects.count() == versions
    # Saved once more (other bytes, same cells): still the same draft and cells.
    copy = openpyxl.load_workbook(path)
    copy.properties.title = "saved again"
    resaved = upload(world, saved(copy, tmp_path / "copy.xlsx"))
    assert resaved.status == ImportJob.Status.VALIDATED
    assert resaved.warnings == 0
    resaved = intake.job_commit(job=resaved, actor=world["focal"])
    assert resaved.status == ImportJob.Status.COMMITTED
    assert resaved.version_id == draft.pk
    assert observations(draft) == expected
    assert Version.objects.count() == versions


def test_errors_name_the_sheet_and_cell_and_nothing_is_written(
    world: dict[str, Any], tmp_path: Path
) -> None:
    book = template(world)
    where = places(book)
    put(book, HOMICIDE, "value", "twelve")
    put(book, THEFT, "value", -3)
    put(book, BURGLARY, "value", 4)
    put(book, BURGLARY, "status", "not applicable")
    put(book, CONTACT_M, "status", "guessed")
    put(book, CONTACT_M, "value", 3)
    put(book, CONTACT_T, "value", 10)
    job = upload(world, saved(book, tmp_path / "filled.xlsx"))
    assert job.status == ImportJob.Status.BLOCKED
    assert job.errors == 4
    issues = {i.column: i for i in ImportIssue.objects.filter(job=job, severity="error")}
    assert where[HOMICIDE]["value cell"] == "Offences!C6"
    assert issues["Offences!C6"].message == "not a number"
    assert issues["Offences!C6"].value == "twelve"
    assert issues[where[THEFT]["value cell"]].message == "a negative number"
    assert "at once" in issues[where[BURGLARY]["value cell"]].message
    assert where[CONTACT_M]["status cell"] == "Contact!G6"
    assert issues["Contact!G6"].message == "not a status of the list"
    assert issues["Contact!G6"].value == "guessed"
    text = report_text(job)
    assert "Offences!C6: not a number (value “twelve”)" in text
    job = intake.job_commit(job=job, actor=world["focal"])
    assert job.status == ImportJob.Status.BLOCKED
    assert not Observation.objects.exists()
    assert not Version.objects.filter(submission__label="UN-CTS 2025").exists()


def test_a_changed_layout_is_refused_with_what_changed(
    world: dict[str, Any], tmp_path: Path
) -> None:
    def refused(book: openpyxl.Workbook, match: str) -> None:
        path = saved(book, tmp_path / "changed.xlsx")
        with pytest.raises(TemplateRefused, match=match):
            upload(world, path)

    book = template(world)
    book["_cells"]["A2"] = THEFT  # the cell map says another cell
    refused(book, r"cell map or description .* was changed after it was made")

    book = template(world)
    book["_template"]["B6"] = "ESP"  # another country
    refused(book, r"was changed after it was made")

    book = template(world)
    book["Offences"].insert_rows(8)  # protection lifted, a row inserted
    refused(book, r"layout was changed .*Offences row 8 should be “Assaults and threats”")

    book = template(world)
    sheet = book["Offences"]
    for column in ("A", "B"):  # two rows swapped
        sheet[f"{column}6"].value, sheet[f"{column}7"].value = (
            sheet[f"{column}7"].value,
            sheet[f"{column}6"].value,
        )
    refused(book, r"Offences row 6 should be “Intentional homicide”, it is “Attempted")

    book = template(world)
    book["Contact"].title = "Police contact"
    refused(book, r"the sheet\(s\) Contact of the template are missing")

    plain = openpyxl.Workbook()
    plain.active.append(["key", "value"])
    refused(plain, r"not a questionnaire template")
    assert not Upload.objects.exists()


def test_the_rules_run_on_what_the_file_would_save(world: dict[str, Any], tmp_path: Path) -> None:
    book = template(world)
    where = places(book)
    put(book, SEXUAL, "value", 100)
    put(book, RAPE, "value", 130)
    job = upload(world, saved(book, tmp_path / "filled.xlsx"))
    assert job.status == ImportJob.Status.VALIDATED  # a draft may break rules, as in the browser
    issue = ImportIssue.objects.get(job=job, code="rule")
    assert issue.severity == "warning"
    assert "CTS-RAPE" in issue.message
    assert "Rape" in issue.message
    assert "(130)" in issue.message
    assert where[RAPE]["value cell"] in issue.column
    assert where[SEXUAL]["value cell"] in issue.column
    job = intake.job_commit(job=job, actor=world["focal"])
    assert job.status == ImportJob.Status.COMMITTED


def test_a_change_made_since_the_template_was_made_is_flagged(
    world: dict[str, Any], tmp_path: Path
) -> None:
    save(world, {HOMICIDE: Entry(value=Decimal("12500"))})
    book = template(world)
    save(world, {HOMICIDE: Entry(value=Decimal("13000"))})  # in the browser, meanwhile
    put(book, HOMICIDE, "value", 12600)
    job = upload(world, saved(book, tmp_path / "filled.xlsx"))
    issue = ImportIssue.objects.get(job=job, code="changed_since")
    assert (issue.column, issue.severity) == ("Offences!C6", "warning")
    assert "(now 13000); the file's 12600 replaces it" in issue.message


def test_a_template_is_imported_only_for_its_organisation(
    world: dict[str, Any], tmp_path: Path
) -> None:
    police = factories.agency("COL", Organisation.Kind.POLICE)
    path = saved(template(world), tmp_path / "filled.xlsx")
    job = upload(world, path, organisation=police)
    assert job.status == ImportJob.Status.FAILED
    assert f"it was uploaded for {police.code}" in job.message
    assert world["col"].code in job.message


def test_nothing_is_imported_while_the_questionnaire_is_with_the_office(
    world: dict[str, Any], tmp_path: Path
) -> None:
    version = save(world, {HOMICIDE: Entry(value=Decimal("12500"))})
    book = template(world)
    workflow.version_submit(version=version, actor=world["focal"])
    put(book, HOMICIDE, "value", 12600)
    job = upload(world, saved(book, tmp_path / "filled.xlsx"))
    assert job.status == ImportJob.Status.FAILED
    assert "version 1 of “UN-CTS 2025” is with the office" in job.message
    assert observations(version) == {HOMICIDE: (Decimal("12500"), "A", "F", "")}


def test_the_template_command(world: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "cts.xlsx"
    arguments = ["--questionnaire", "UN-CTS", "--area", "COL", "--year", "2025", "--out", str(out)]
    call_command("template", *arguments, "--user", "fp@col.test", stdout=io.StringIO())
    opened = open_template(out)
    assert (opened.meta["organisation"], opened.meta["year"]) == (world["col"].code, "2025")
    police = factories.agency("COL", Organisation.Kind.POLICE)
    with pytest.raises(CommandError, match="several organisations"):
        call_command("template", *arguments, "--user", "fp@col.test")
    call_command("template", *arguments, "--org", police.code, stdout=io.StringIO())
    assert open_template(out).meta["organisation"] == police.code
    with pytest.raises(CommandError, match="no questionnaire"):
        call_command("template", *arguments[2:], "--questionnaire", "NOPE", "--org", police.code)


def test_a_filled_template_imports_from_the_command_line(
    world: dict[str, Any], tmp_path: Path
) -> None:
    book = template(world)
    put(book, HOMICIDE, "value", 12500)
    put(book, THEFT, "status", "L")
    path = saved(book, tmp_path / "cts.xlsx")
    out = io.StringIO()
    call_command(
        "import",
        "observations",
        str(path),
        "--format",
        "template",
        "--org",
        world["col"].code,
        "--user",
        "fp@col.test",
        stdout=out,
    )
    assert "325 rows, 325 valid" in out.getvalue()
    version = Version.objects.get(submission__label="UN-CTS 2025")
    assert observations(version) == {
        HOMICIDE: (Decimal("12500"), "A", "F", ""),
        THEFT: (None, "L", "F", ""),
    }


def test_the_grid_page_offers_the_template_for_download(world: dict[str, Any]) -> None:
    code = world["col"].code
    url = reverse("statistics:questionnaire-template", args=["UN-CTS", code, 2025])
    browser = Client()
    browser.force_login(world["focal"])
    page = browser.get(f"/statistics/questionnaires/UN-CTS/{code}/2025/").content.decode()
    assert url in page
    response = browser.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f'filename="UN-CTS-{code}-2025.xlsx"' in response["Content-Disposition"]
    assert "Offences" in openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames
    outsider = Client()
    outsider.force_login(
        factories.member(Role.FOCAL_POINT, factories.agency("ESP"), email="fp@esp.test")
    )
    assert outsider.get(url).status_code == 404


def test_the_filled_workbook_uploads_in_the_browser(
    world: dict[str, Any], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    browser = Client()
    browser.force_login(world["focal"])
    url = reverse("intake:new", args=[TEMPLATE_DATASET])
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with plain.open("rb") as handle:
        refused = browser.post(url, {"organisation": world["col"].pk, "file": handle})
    assert "not a questionnaire template" in refused.content.decode()
    book = template(world)
    put(book, HOMICIDE, "value", 12500)
    path = saved(book, tmp_path / "cts.xlsx")
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = browser.post(url, {"organisation": world["col"].pk, "file": handle})
    job = ImportJob.objects.get()
    # A fixed layout needs no mapping: straight to the report.
    assert response["Location"] == reverse("intake:detail", args=[job.pk])
    assert response["Location"] == reverse("intake:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("intake:commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED
    assert observations(job.version) == {HOMICIDE: (Decimal("12500"), "A", "F", "")}
