"""The demo network on migrant smuggling: eight states, a year of plausible
incidents on Mediterranean and Asia-Pacific routes, imported through the intake
engine, shared by the focal points and reviewed by the office.

- ITA, GRC, ESP, THA, IDN, AUS share every quarter of 2025 (ITA, GRC and ESP
  accepted by the office, the others submitted);
- TUR shares the first half of 2025 only: it sees others' Q1 and Q2;
- MYS has joined but shares nothing (its incidents stay a draft): it sees only
  its own data, and the pages say why;
- LKA is invited and has not answered.
Idempotent: a state that already has its demo submission is left alone."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import polars as pl
from django.db import transaction

from observatory.accounts import services as account_services
from observatory.accounts.models import (
    Network,
    NetworkAgency,
    NetworkMember,
    Organisation,
    Role,
    User,
)
from observatory.demo.world import DOMAIN
from observatory.intake import services as intake
from observatory.intake.models import ImportJob
from observatory.reference.models import Area
from observatory.submissions import services as workflow
from observatory.submissions.models import Submission

NETWORK_CODE = "VRS-DEMO"
NETWORK_NAME = "Voluntary reporting on migrant smuggling and related conduct (demo)"
YEAR = 2025
# state -> (contributing agency, incidents, months reported, what happens to the version)
STATES: dict[str, tuple[str, int, range, str]] = {
    "ITA": ("ITA-POLICE", 90, range(1, 13), "accepted"),
    "GRC": ("GRC-COASTGUARD", 80, range(1, 13), "accepted"),
    "ESP": ("ESP-POLICE", 70, range(1, 13), "accepted"),
    "TUR": ("TUR-GENDARMERIE", 50, range(1, 7), "submitted"),
    "THA": ("THA-IMM", 60, range(1, 13), "submitted"),
    "IDN": ("IDN-POLICE", 45, range(1, 13), "submitted"),
    "AUS": ("AUS-ABF", 40, range(1, 13), "submitted"),
    "MYS": ("MYS-IMM", 15, range(1, 13), "draft"),
}
INVITED = ("LKA",)

# state -> routes: (departure, transits, destination, weight, detection, vessel,
# citizenships, fee range per person, currency)
Route = tuple[str, tuple[str, ...], str, int, str, str, tuple[str, ...], tuple[int, int], str]
ROUTES: dict[str, list[Route]] = {
    "ITA": [
        (
            "LBY",
            (),
            "ITA",
            5,
            "at_sea",
            "fishing_boat",
            ("BGD", "EGY", "PAK", "SYR", "ERI"),
            (3000, 8000),
            "USD",
        ),
        (
            "TUN",
            (),
            "ITA",
            4,
            "at_sea",
            "wooden_boat",
            ("TUN", "CIV", "GIN", "GMB"),
            (1500, 3500),
            "EUR",
        ),
        (
            "TUR",
            ("GRC",),
            "ITA",
            2,
            "sea_border",
            "speedboat",
            ("AFG", "IRQ", "SYR"),
            (5000, 9000),
            "EUR",
        ),
        (
            "EGY",
            ("LBY",),
            "ITA",
            2,
            "at_sea",
            "fishing_boat",
            ("EGY", "BGD", "SYR"),
            (3500, 7000),
            "USD",
        ),
    ],
    "GRC": [
        (
            "TUR",
            (),
            "GRC",
            6,
            "sea_border",
            "dinghy",
            ("AFG", "SYR", "PAK", "IRQ", "SOM"),
            (1200, 3000),
            "EUR",
        ),
        ("TUR", (), "DEU", 3, "land_border", "truck", ("AFG", "PAK", "MAR"), (2500, 5000), "EUR"),
        ("LBY", (), "GRC", 1, "at_sea", "fishing_boat", ("EGY", "BGD", "PAK"), (4000, 7000), "USD"),
    ],
    "ESP": [
        ("MAR", (), "ESP", 5, "sea_border", "dinghy", ("MAR", "DZA", "GIN"), (1800, 4000), "EUR"),
        (
            "SEN",
            ("MRT",),
            "ESP",
            3,
            "at_sea",
            "wooden_boat",
            ("SEN", "MLI", "GMB", "GIN"),
            (600000, 1200000),
            "XOF",
        ),
        ("DZA", (), "ESP", 2, "at_sea", "speedboat", ("DZA",), (3000, 6000), "EUR"),
    ],
    "TUR": [
        ("IRN", (), "TUR", 5, "land_border", "none", ("AFG", "PAK", "IRN"), (500, 2000), "USD"),
        ("SYR", (), "TUR", 3, "land_border", "none", ("SYR",), (300, 1200), "USD"),
        ("TUR", (), "GRC", 3, "inland", "van", ("AFG", "SYR", "PAK"), (1500, 3500), "EUR"),
    ],
    "THA": [
        ("MMR", (), "THA", 6, "land_border", "truck", ("MMR",), (10000, 25000), "THB"),
        ("KHM", (), "THA", 2, "land_border", "car", ("KHM",), (5000, 15000), "THB"),
        ("MMR", ("THA",), "MYS", 3, "inland", "truck", ("MMR", "BGD"), (20000, 60000), "THB"),
    ],
    "IDN": [
        ("BGD", ("MMR",), "IDN", 3, "at_sea", "wooden_boat", ("MMR", "BGD"), (800, 2500), "USD"),
        (
            "MYS",
            (),
            "IDN",
            2,
            "sea_border",
            "speedboat",
            ("MMR", "BGD", "LKA"),
            (3_000_000, 9_000_000),
            "IDR",
        ),
        ("IDN", (), "AUS", 2, "at_sea", "fishing_boat", ("AFG", "IRN", "LKA"), (4000, 9000), "USD"),
    ],
    "AUS": [
        (
            "IDN",
            (),
            "AUS",
            3,
            "at_sea",
            "fishing_boat",
            ("AFG", "IRN", "LKA", "VNM"),
            (5000, 10000),
            "USD",
        ),
        ("LKA", (), "AUS", 2, "at_sea", "fishing_boat", ("LKA",), (3000, 7000), "USD"),
        (
            "MYS",
            (),
            "AUS",
            3,
            "air_border",
            "aircraft",
            ("MYS", "VNM", "CHN"),
            (4000, 12000),
            "AUD",
        ),
    ],
    "MYS": [
        ("THA", (), "MYS", 3, "land_border", "truck", ("MMR", "BGD"), (1500, 4000), "MYR"),
        ("IDN", (), "MYS", 2, "sea_border", "speedboat", ("IDN",), (800, 2500), "MYR"),
    ],
}
MO_BY_VESSEL = {
    "dinghy": ["overcrowded_vessel", "online_recruitment"],
    "fishing_boat": ["overcrowded_vessel", "mothership"],
    "wooden_boat": ["overcrowded_vessel"],
    "speedboat": ["guided_crossing"],
    "truck": ["concealment_vehicle"],
    "van": ["concealment_vehicle"],
    "car": ["concealment_vehicle"],
    "none": ["guided_crossing"],
    "aircraft": ["fraudulent_documents", "visa_abuse"],
}


def incident_rows(state: str, count: int, months: range, rng: random.Random) -> pl.DataFrame:
    """A file's worth of incidents for one state, as a country would send them."""
    routes = ROUTES[state]
    weights = [route[3] for route in routes]
    rows: list[dict[str, Any]] = []
    for number in range(1, count + 1):
        departure, transits, destination, _w, detection, vessel, citizens, fee, currency = (
            rng.choices(routes, weights)[0]
        )
        month = rng.choice(list(months))
        day = date(YEAR, month, 1) + timedelta(days=rng.randrange(28))
        size = rng.randint(3, 80) if detection == "at_sea" else rng.randint(1, 25)
        if vessel == "aircraft":
            size = rng.randint(1, 4)
        women = rng.randint(0, size // 3)
        boys = rng.randint(0, (size - women) // 5)
        girls = rng.randint(0, (size - women - boys) // 6)
        unknown = rng.randint(0, 2) if size > 10 else 0
        men = size - women - boys - girls - unknown
        split = sorted(rng.sample(citizens, k=min(len(citizens), rng.randint(1, 3))))
        shares = [rng.randint(1, 10) for _ in split]
        counts = [max(1, size * s // sum(shares)) for s in shares]
        counts[0] += size - sum(counts)
        if counts[0] <= 0:
            split, counts = split[:1], [size]
        mo = list(MO_BY_VESSEL.get(vessel, []))
        document = ""
        fraud = ""
        if vessel == "aircraft" or rng.random() < 0.12:
            document = rng.choice(["passport", "visa", "id_card", "residence_permit"])
            fraud = rng.choice(["forged", "counterfeit", "fraudulently_obtained", "impostor"])
            if "fraudulent_documents" not in mo:
                mo.append("fraudulent_documents")
        smugglers = rng.choice([0, 0, 1, 1, 2, 3])
        deaths = rng.choice([0] * 30 + [1, 2, 5]) if detection == "at_sea" else 0
        rows.append(
            {
                "Reference": f"{state}-{YEAR}-{number:04d}",
                "Date": day.isoformat(),
                "Detection": detection.replace("_", " "),
                "Place": rng.choice(
                    [
                        "",
                        "coastal patrol sector",
                        "border crossing point",
                        "port area",
                        "highway checkpoint",
                    ]
                ),
                "Departure": departure,
                "Transit": "; ".join(transits),
                "Destination": destination,
                "Vessel": vessel,
                "Men": men,
                "Women": women,
                "Boys": boys,
                "Girls": girls,
                "Sex unknown": unknown,
                "Citizenship": "; ".join(f"{c} {n}" for c, n in zip(split, counts, strict=True)),
                "Deaths": deaths,
                "Smugglers": smugglers,
                "Smuggler roles": "driver"
                if smugglers and vessel in {"truck", "van", "car"}
                else ("driver; organiser" if smugglers > 1 else ""),
                "Fee": rng.randint(*fee) if rng.random() < 0.7 else None,
                "Currency": currency,
                "Fee basis": "per person",
                "Modus operandi": "; ".join(mo),
                "Document": document,
                "Fraud": fraud,
                "National only": "yes" if rng.random() < 0.05 else "no",
            }
        )
    frame = pl.DataFrame(rows)
    return frame.with_columns(
        pl.when(pl.col("Fee").is_null())
        .then(pl.lit(""))
        .otherwise(pl.col("Currency"))
        .alias("Currency")
    )


def aggregate_rows(state: str, months: range, rng: random.Random) -> pl.DataFrame:
    citizens = sorted({c for route in ROUTES[state] for c in route[6]})
    rows = [
        {
            "Month": f"{YEAR}-{month:02d}",
            "Measure": "detections",
            "Citizenship": citizen,
            "Count": rng.choice([0, 1, 2, 3, 4]) if rng.random() < 0.3 else rng.randint(5, 400),
        }
        for month in months
        for citizen in citizens
    ]
    return pl.DataFrame(rows)


def _csv(frame: pl.DataFrame) -> io.BytesIO:
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    buffer.seek(0)
    return buffer


def _import(organisation: Organisation, user: User, dataset: str, frame: pl.DataFrame) -> Any:
    upload, _created = intake.upload_store(
        stream=_csv(frame),
        filename=f"demo-{dataset}-{organisation.code}-{YEAR}.csv",
        organisation=organisation,
        dataset=dataset,
        actor=user,
    )
    job = intake.job_create(upload=upload, label=f"{NETWORK_CODE} {YEAR}", actor=user)
    job = intake.job_validate(job=job)
    job = intake.job_commit(job=job, accept_valid=False, actor=user)
    if job.status != ImportJob.Status.COMMITTED or job.version is None:
        raise RuntimeError(
            f"demo {dataset} import for {organisation.code} ended as {job.status}: "
            f"{job.message or job.errors}"
        )
    return job.version


def network() -> Network:
    existing = Network.objects.filter(code=NETWORK_CODE).first()
    if existing is not None:
        return existing
    return account_services.network_create(
        code=NETWORK_CODE, name=NETWORK_NAME, period_kind=Network.PeriodKind.QUARTER
    )


def load_demo_smuggling(*, say: Callable[[str], None] = print) -> int:
    """Members, agencies and a year of incidents; returns incidents created now."""
    analyst = User.objects.filter(memberships__role=Role.ANALYST).order_by("pk").first()
    if analyst is None:
        raise RuntimeError("the demo world has no analyst: run build_demo_world first")
    net = network()
    created = 0
    rng = random.Random(2025)  # noqa: S311 - demo data, not secrets
    for area_code in INVITED:
        if not NetworkMember.objects.filter(network=net, area_id=area_code).exists():
            account_services.network_invite(
                network=net, area=Area.objects.get(code=area_code), actor=analyst
            )
    for state, (agency_code, count, months, outcome) in STATES.items():
        incidents = incident_rows(state, count, months, rng)
        aggregates = aggregate_rows(state, months, rng)
        organisation = Organisation.objects.get(code=agency_code)
        focal = User.objects.get(email=f"focal.{state.lower()}@{DOMAIN}")
        contributor = User.objects.get(
            memberships__organisation=organisation, memberships__role=Role.CONTRIBUTOR
        )
        with transaction.atomic():
            member = NetworkMember.objects.filter(network=net, area_id=state).first()
            if member is None:
                member = account_services.network_invite(
                    network=net, area=Area.objects.get(code=state), actor=analyst
                )
            if member.status == NetworkMember.Status.INVITED:
                member = account_services.network_join(member=member, actor=focal)
            if not NetworkAgency.objects.filter(member=member, organisation=organisation).exists():
                account_services.network_agency_name(
                    member=member, organisation=organisation, actor=focal
                )
            if Submission.objects.filter(
                organisation=organisation, label=f"{NETWORK_CODE} {YEAR}"
            ).exists():
                continue
            versions = [_import(organisation, contributor, "smuggling-incidents", incidents)]
            if outcome != "draft" and state in {"ITA", "GRC", "THA", "TUR"}:
                versions.append(
                    _import(organisation, contributor, "smuggling-aggregates", aggregates)
                )
            for version in versions:
                if outcome == "draft":
                    continue
                version = workflow.version_submit(version=version, actor=focal)
                if outcome == "accepted":
                    workflow.version_accept(version=version, actor=analyst)
        created += count
        say(f"  {state}: {count} incidents ({outcome})")
    return created
