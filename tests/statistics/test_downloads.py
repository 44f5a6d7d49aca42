"""Open data downloads (/statistics/data/): every format for the public, made
once per state of what is published; files made for users who see more."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.test import Client, override_settings
from django.urls import reverse

from observatory.accounts.models import Role
from observatory.core.models import AuditEvent
from observatory.intake import services as intake
from observatory.statistics import selectors
from observatory.statistics.exports import open_data
from tests import factories
from tests.statistics.test_exports import ROWS, small
from tests.statistics.test_exports import cube as cube  # the fixture
from tests.statistics.test_portal import FLOW, portal_import, publish


@pytest.fixture(autouse=True)
def _var(tmp_path: Path) -> Any:
    with override_settings(VAR_DIR=tmp_path):
        yield


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_page_lists_each_dataflow_with_its_files(cube: dict[str, Any], client: Client) -> None:
    small(cube)
    page = client.get(reverse("statistics:data"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Violent and sexual crime" in text or FLOW in text
    flow = next(f for f in page.context["flows"] if f["flow"].code == FLOW)
    assert "6 published observations" in text
    assert (flow["observations"], flow["areas"], flow["first"], flow["last"]) == (
        6,
        1,
        "2019",
        "2023",
    )
    for fmt in open_data.FORMATS:
        assert reverse("statistics:data-file", args=[FLOW, fmt]) in text
    assert "published as &lt;5" in text


def test_the_public_gets_every_format_with_disclosure_control(
    cube: dict[str, Any], client: Client, tmp_path: Path
) -> None:
    small(cube)
    for code, fmt in open_data.FORMATS.items():
        response = client.get(reverse("statistics:data-file", args=[FLOW, code]))
        assert response.status_code == 200, code
        assert response["Content-Type"] == fmt.media_type
        assert response["Content-Disposition"] == (
            f'attachment; filename="{FLOW}-1.0-{code}.{fmt.extension}"'
        )
        assert response["Cache-Control"] == "public, max-age=300"
        data = body(response)
        assert data, code
        if code == "datapackage":
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
            assert "datapackage.json" in names
        if code in {"csv", "sdmx-csv"}:
            frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
            # The small count (3) and its rate never leave: <5 and withheld.
            assert "3" not in frame["OBS_VALUE"].to_list()
            assert "0.1" not in frame["OBS_VALUE"].to_list()
    structure = client.get(reverse("statistics:data-structure", args=[FLOW, "sdmx-ml"]))
    assert structure.status_code == 200
    assert b"DSD_CTS_PORTAL" in body(structure)


def test_a_public_file_is_made_once_until_a_publication_changes_the_data(
    cube: dict[str, Any], client: Client, tmp_path: Path
) -> None:
    small(cube)
    url = reverse("statistics:data-file", args=[FLOW, "csv"])
    first = body(client.get(url))
    (made,) = (tmp_path / "exports" / "public").glob(f"{FLOW}-1.0-csv-*.csv")
    stamp = made.stat().st_mtime_ns
    assert body(client.get(url)) == first
    assert made.stat().st_mtime_ns == stamp  # served again, not made again
    # A new publication: a new file, the old one removed.
    more = ROWS.replace("2019,Counts,3", "2018,Counts,30").encode()
    job = intake.job_commit(job=portal_import(cube, more), actor=cube["analyst"])
    assert job.version is not None
    publish(job.version, cube["analyst"])
    again = body(client.get(url))
    assert again != first
    (current,) = (tmp_path / "exports" / "public").glob(f"{FLOW}-1.0-csv-*.csv")
    assert current != made
    assert b",2018," in again


def test_users_who_see_more_get_a_file_of_their_own(
    cube: dict[str, Any], client: Client, tmp_path: Path
) -> None:
    small(cube, published=False)  # submitted to the office, not published
    url = reverse("statistics:data-file", args=[FLOW, "csv"])
    public = pl.read_csv(io.BytesIO(body(client.get(url))), infer_schema=False)
    assert public.height == 0
    client.force_login(cube["analyst"])
    temporary = set(Path(tempfile.gettempdir()).glob("observatory-export-*"))
    response = client.get(url)
    assert response["Cache-Control"] == "private, no-store"
    office = pl.read_csv(io.BytesIO(body(response)), infer_schema=False)
    assert office.height == 6
    assert "3" in office["OBS_VALUE"].to_list()  # the office: as reported
    # Nothing of it stays on the disk; the export of unpublished rows is audited.
    assert set(Path(tempfile.gettempdir()).glob("observatory-export-*")) == temporary
    assert len(list((tmp_path / "exports" / "public").glob("*-csv-*"))) == 1  # the public's
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1
    # A user without a role sees what the public sees, from the shared file.
    client.force_login(factories.UserFactory())
    assert client.get(url)["Cache-Control"] == "public, max-age=300"
    # A focal point of another country: its own file, published data only.
    other = factories.member(Role.FOCAL_POINT, factories.agency("FRA"), email="fp@fra.test")
    client.force_login(other)
    response = client.get(url)
    assert response["Cache-Control"] == "private, no-store"
    assert pl.read_csv(io.BytesIO(body(response)), infer_schema=False).height == 0


def test_an_unknown_dataflow_or_format_is_a_404(cube: dict[str, Any], client: Client) -> None:
    small(cube)
    # The data-portal format only where its columns hold every dimension.
    cts = selectors.dataflow_get("DF_UN_CTS")
    assert "unodc-portal" not in {f.code for f in open_data.formats_for(cts)}
    refused = client.get(reverse("statistics:data-file", args=["DF_UN_CTS", "unodc-portal"]))
    assert refused.status_code == 404
    assert "unodc-portal" in {f.code for f in open_data.formats_for(selectors.dataflow_get(FLOW))}
    assert client.get(reverse("statistics:data-file", args=["DF_NOPE", "csv"])).status_code == 404
    assert client.get(reverse("statistics:data-file", args=[FLOW, "pdf"])).status_code == 404
    bad = client.get(reverse("statistics:data-structure", args=[FLOW, "json"]))
    assert bad.status_code == 404
