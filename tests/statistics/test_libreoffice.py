"""The Excel template as a focal point using LibreOffice meets it: LibreOffice
opens the workbook and saves it again as .xlsx (Calc's own writer, so every
part of the file is rewritten), and the upload is read and validated as the
one Excel saved: cells, drop-down lists, protection and the signed cell map
survive. Needs LibreOffice (`soffice`, Debian's libreoffice-calc-nogui, which
`make test` installs as root); skipped without it."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from observatory.intake import services as intake
from observatory.intake.models import ImportJob
from observatory.statistics.formats.workbook.template import build_template
from tests.statistics.test_workbook import (  # noqa: F401 (fixtures)
    ASSAULT,
    BURGLARY,
    CONTACT_F,
    CONTACT_M,
    CONTACT_T,
    HOMICIDE,
    _handler,
    observations,
    put,
    upload,
    world,
)

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")


def through_libreoffice(path: Path, folder: Path) -> Path:
    """`path` opened and saved as .xlsx by LibreOffice Calc (headless, with a
    profile of its own so parallel runs do not share one)."""
    out = folder / "libreoffice"
    out.mkdir()
    profile = folder / "profile"
    assert SOFFICE is not None
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "HOME": str(folder)},
    )
    converted = out / path.name
    assert result.returncode == 0, result.stdout + result.stderr
    assert converted.exists(), result.stdout + result.stderr
    return converted


def test_a_template_saved_by_libreoffice_uploads_like_one_saved_by_excel(
    world: dict[str, Any],  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    data = build_template(world["cts"], organisation=world["col"], year=2025, actor=world["focal"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    put(book, HOMICIDE, "value", 12500)
    put(book, CONTACT_T, "value", 50)
    put(book, CONTACT_M, "value", 40)
    put(book, CONTACT_F, "value", 10)
    put(book, CONTACT_F, "confidential", "yes")
    put(book, ASSAULT, "value", "1 250")
    put(book, BURGLARY, "status", "not available")
    put(book, BURGLARY, "comment", "recorded with theft — 窃盗")
    filled = tmp_path / "cts-col-2025.xlsx"
    book.save(filled)

    resaved = through_libreoffice(filled, tmp_path)
    assert resaved.read_bytes() != filled.read_bytes()  # LibreOffice wrote it anew

    # What the focal point sees after LibreOffice: protected sheets, the lists.
    again = openpyxl.load_workbook(resaved)
    entry_sheets = [s for s in again.worksheets if s.sheet_state == "visible"]
    assert len(entry_sheets) > 1
    assert all(s.protection.sheet for s in entry_sheets[1:]), "protection lost"
    assert sum(len(s.data_validations.dataValidation) for s in entry_sheets) > 0
    assert again["_cells"].sheet_state != "visible"

    job = upload(world, resaved)
    assert job.status == ImportJob.Status.VALIDATED, [str(i) for i in job.issues.all()[:5]]
    assert job.errors == 0
    job = intake.job_commit(job=job, actor=world["focal"])
    assert job.status == ImportJob.Status.COMMITTED
    assert job.version is not None
    assert observations(job.version) == {
        HOMICIDE: (Decimal("12500"), "A", "F", ""),
        ASSAULT: (Decimal("1250"), "A", "F", ""),
        BURGLARY: (None, "L", "F", "recorded with theft — 窃盗"),
        CONTACT_T: (Decimal("50"), "A", "F", ""),
        CONTACT_M: (Decimal("40"), "A", "F", ""),
        CONTACT_F: (Decimal("10"), "A", "C", ""),
    }
