"""A believable demo world: the office, national agencies in ten countries, a
user for every role (the network of states is in demo/smuggling.py). Idempotent: running it again
keeps what is there (and never resets a changed password)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from observatory.accounts import services
from observatory.accounts.models import Organisation, Role, User
from observatory.reference.models import Area

DEMO_PASSWORD = "observatory-demo"
DOMAIN = "observatory.demo"

# code, area, kind, name
ORGANISATIONS = [
    ("OFFICE", None, "office", "International Office on Drugs and Crime (demo)"),
    ("COL-POLICE", "COL", "police", "Policía Nacional de Colombia — Dirección Antinarcóticos"),
    ("COL-LAB", "COL", "lab", "Instituto Nacional de Medicina Legal — Laboratorio de Química"),
    ("COL-DANE", "COL", "statistics", "Departamento Administrativo Nacional de Estadística"),
    ("ECU-POLICE", "ECU", "police", "Policía Nacional del Ecuador — Antinarcóticos"),
    ("ESP-POLICE", "ESP", "police", "Policía Nacional — Comisaría General de Policía Judicial"),
    ("ESP-CUSTOMS", "ESP", "customs", "Agencia Tributaria — Vigilancia Aduanera"),
    ("NLD-POLICE", "NLD", "police", "Politie — Landelijke Eenheid"),
    ("NLD-CUSTOMS", "NLD", "customs", "Douane Nederland"),
    ("AFG-CNPA", "AFG", "police", "Counter Narcotics Police of Afghanistan"),
    ("IRN-DCHQ", "IRN", "drugcontrol", "Drug Control Headquarters"),
    ("THA-ONCB", "THA", "drugcontrol", "Office of the Narcotics Control Board"),
    ("THA-IMM", "THA", "immigration", "Immigration Bureau, Royal Thai Police"),
    ("MMR-CCDAC", "MMR", "drugcontrol", "Central Committee for Drug Abuse Control"),
    ("AUS-AFP", "AUS", "police", "Australian Federal Police"),
    ("AUS-ABF", "AUS", "customs", "Australian Border Force"),
    ("NGA-NDLEA", "NGA", "drugcontrol", "National Drug Law Enforcement Agency"),
    # States of the demo network on migrant smuggling (demo/smuggling.py).
    ("ITA-POLICE", "ITA", "police", "Polizia di Stato — Servizio Centrale Immigrazione"),
    ("GRC-COASTGUARD", "GRC", "coastguard", "Hellenic Coast Guard"),
    ("TUR-GENDARMERIE", "TUR", "police", "Jandarma — Migrant Smuggling Division"),
    ("MYS-IMM", "MYS", "immigration", "Immigration Department of Malaysia"),
    ("IDN-POLICE", "IDN", "police", "Indonesian National Police"),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    organisation: str
    role: str


def demo_users() -> list[DemoUser]:
    users = [
        DemoUser(f"admin@{DOMAIN}", "Ada Admin", "OFFICE", Role.ADMIN),
        DemoUser(f"analyst@{DOMAIN}", "Ana Analyst", "OFFICE", Role.ANALYST),
    ]
    focal_org = {}
    for code, area, _kind, _name in ORGANISATIONS:
        if area and area not in focal_org:
            focal_org[area] = code
    for area, org in focal_org.items():
        users.append(
            DemoUser(f"focal.{area.lower()}@{DOMAIN}", f"Focal point {area}", org, Role.FOCAL_POINT)
        )
    for code, area, _kind, _name in ORGANISATIONS:
        if area:
            agency = code.split("-", 1)[1].lower()
            users.append(
                DemoUser(
                    f"{agency}.{area.lower()}@{DOMAIN}",
                    f"Contributor {code}",
                    code,
                    Role.CONTRIBUTOR,
                )
            )
    return users


def build_demo_world(stdout_write: object = None) -> dict[str, int]:
    """Create what is missing of the demo world; returns counts of what was created."""
    created = {"organisations": 0, "users": 0, "roles": 0}
    with transaction.atomic():
        for code, area_code, kind, name in ORGANISATIONS:
            if Organisation.objects.filter(code=code).exists():
                continue
            area = Area.objects.get(code=area_code) if area_code else None
            services.organisation_create(code=code, name=name, kind=kind, area=area)
            created["organisations"] += 1
        for demo in demo_users():
            user = User.objects.filter(email=demo.email).first()
            if user is None:
                user = services.user_create(
                    email=demo.email,
                    password=DEMO_PASSWORD,
                    full_name=demo.name,
                    is_staff=demo.role == Role.ADMIN,
                    is_superuser=demo.role == Role.ADMIN,
                    check_password=False,
                )
                created["users"] += 1
            organisation = Organisation.objects.get(code=demo.organisation)
            if not user.memberships.filter(organisation=organisation).exists():
                services.membership_grant(
                    user=user, organisation=organisation, role=demo.role, actor=None
                )
                created["roles"] += 1
    return created
