"""The demo's statistics: the portal export published as the office's
compilation, UN-CTS 2024 published for three countries, this year's round open
with Spain's answer submitted; running it twice changes nothing."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from observatory.demo.statistics import load_demo_statistics
from observatory.demo.world import build_demo_world
from observatory.statistics import disclosure, selectors
from observatory.statistics.models import Observation, ReportingCycle
from observatory.statistics.questionnaires import checks, completeness
from observatory.submissions.models import Version

pytestmark = pytest.mark.django_db


def test_demo_statistics_load_once(db: Any) -> None:
    build_demo_world()
    load_demo_statistics(say=lambda line: None)
    counts = (Observation.objects.count(), Version.objects.count())
    load_demo_statistics(say=lambda line: None)
    assert (Observation.objects.count(), Version.objects.count()) == counts
    portal = selectors.dataflow_get("DF_CTS_VIOLENT_SEXUAL")
    assert selectors.current_observations(actor=None, dataflow=portal).count() == 27527
    cts = selectors.questionnaire_get("UN-CTS")
    public = selectors.current_observations(actor=None, dataflow=cts.dataflow)
    assert set(public.values_list("area_id", flat=True)) == {"COL", "ESP", "NLD"}
    # Trafficking in persons: published, checked clean, small counts shown as <5.
    tip = selectors.questionnaire_get("TIP")
    published = Version.objects.filter(
        submission__label__startswith="TIP", status=Version.Status.PUBLISHED
    )
    assert {v.submission.organisation.area_id for v in published} == {"ESP", "NLD"}
    for version in published:
        found = checks.check_version(version, tip, actor=None)
        assert found.filter(pl.col("importance") == "error").height == 0, found.to_dicts()
    control = disclosure.Disclosure.of(None, tip.dataflow, ["UNIT_MEASURE"])
    organ = Observation.objects.get(
        area_id="ESP", key="VICTIMS._T._T.ORGAN_REMOVAL._T.COUNT", time_period="2024"
    )
    shown = control.shown(
        area="ESP", period="2024", dims=organ.dims, value=organ.value, censored=organ.censored
    )
    assert (organ.value, shown.censored) == (1, "<5")
    cycle = ReportingCycle.objects.get()
    from observatory.accounts.models import User

    analyst = User.objects.get(email="analyst@observatory.demo")
    rows = {r.area: r for r in completeness.cycle_rows(cycle, actor=analyst)}
    assert rows["ESP"].status == "submitted"
    assert rows["ESP"].errors == 1
    assert rows["COL"].status == "not_submitted"
