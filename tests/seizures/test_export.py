"""`observatory export seizures`: through the access policy, audited, safe cells."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from observatory.accounts.models import Organisation, Role
from observatory.core.models import AuditEvent
from observatory.intake import services as intake
from tests import factories

pytestmark = pytest.mark.django_db

CSV = (
    "Fecha,Droga,Cantidad,Unidad,Lugar,Referencia\n"
    '31/01/2024,cocaína,12,kg,"=HYPERLINK(""http://x"",""y"")",E-1\n'
    "01/02/2023,heroine,500,g,Bogotá,E-2\n"
)


@pytest.fixture
def draft() -> tuple[Organisation, object]:
    organisation = factories.agency("COL", Organisation.Kind.POLICE)
    focal = factories.member(Role.FOCAL_POINT, organisation, email="focal@col.test")
    upload, _ = intake.upload_store(
        stream=io.BytesIO(CSV.encode()),
        filename="e.csv",
        organisation=organisation,
        dataset="seizures",
        actor=focal,
    )
    job = intake.job_commit(
        job=intake.job_validate(job=intake.job_create(upload=upload, actor=focal)), actor=focal
    )
    assert job.status == "committed", job.message
    return organisation, focal


def test_without_a_user_only_published_rows_are_exported(draft: object, tmp_path: Path) -> None:
    out = tmp_path / "public.csv"
    call_command("export", "seizures", format="csv", out=out, stdout=StringIO())
    assert pl.read_csv(out).height == 0


def test_a_user_exports_what_they_may_see_and_it_is_audited(draft: tuple, tmp_path: Path) -> None:
    out = tmp_path / "mine.csv"
    call_command(
        "export", "seizures", format="csv", out=out, user="focal@col.test", stdout=StringIO()
    )
    frame = pl.read_csv(out)
    assert frame.height == 2
    assert set(frame["status"]) == {"draft"}
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("at")
    assert (event.actor_email, event.changes["restricted_rows"]) == ("focal@col.test", 2)


def test_formula_text_is_written_safely(draft: tuple, tmp_path: Path) -> None:
    out = tmp_path / "mine.csv"
    call_command(
        "export", "seizures", format="csv", out=out, user="focal@col.test", stdout=StringIO()
    )
    places = pl.read_csv(out)["place"].to_list()
    assert '\'=HYPERLINK("http://x","y")' in places


def test_filters_and_parquet(draft: tuple, tmp_path: Path) -> None:
    out = tmp_path / "2024.parquet"
    call_command(
        "export",
        "seizures",
        format="parquet",
        out=out,
        user="focal@col.test",
        year="2024",
        stdout=StringIO(),
    )
    frame = pl.read_parquet(out)
    assert frame["case_reference"].to_list() == ["E-1"]
    assert frame["kilograms"].to_list() == [12.0]


def test_bad_filters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="year"):
        call_command("export", "seizures", format="csv", out=tmp_path / "x.csv", year="abc")
