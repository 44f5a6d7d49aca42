"""Writes tests/statistics/files/families/: one file per family of the data
portal's long layout, deterministic (seeded), with what real downloads hold
(cp1252, Côte d’Ivoire, XKX, GBR_E_W, Oct-17, title lines in Excel downloads,
txtVALUE with <5 and 1,757). The labels are those publicly described for each
family, not copied from an office file. Run: .venv/bin/python tools/make_family_files.py"""

import csv
import random
from pathlib import Path

import openpyxl

OUT = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "observatory"
    / "statistics"
    / "samples"
    / "families"
)
OUT.mkdir(parents=True, exist_ok=True)
HEADER = [
    "Iso3_code",
    "Country",
    "Region",
    "Subregion",
    "Indicator",
    "Dimension",
    "Category",
    "Sex",
    "Age",
    "Year",
    "Unit of measurement",
    "VALUE",
    "Source",
]
AREAS = [
    ("ALB", "Albania", "Europe", "Southern Europe"),
    ("BRA", "Brazil", "Americas", "Latin America and the Caribbean"),
    ("CIV", "Côte d’Ivoire", "Africa", "Sub-Saharan Africa"),
    ("TUR", "Türkiye", "Asia", "Western Asia"),
    ("CUW", "Curaçao", "Americas", "Latin America and the Caribbean"),
    ("XKX", "Kosovo under UNSCR 1244", "Europe", "Southern Europe"),
    ("GBR_E_W", "United Kingdom (England and Wales)", "Europe", "Northern Europe"),
    ("GBR_S", "United Kingdom (Scotland)", "Europe", "Northern Europe"),
    ("IRQ_KRI", "Iraq (Kurdistan Region)", "Asia", "Western Asia"),
    ("JPN", "Japan", "Asia", "Eastern Asia"),
    ("MEX", "Mexico", "Americas", "Latin America and the Caribbean"),
    ("ZAF", "South Africa", "Africa", "Sub-Saharan Africa"),
    ("NZL", "New Zealand", "Oceania", "Australia and New Zealand"),
]
RATE = "Rate per 100,000 population"


def rows_for(rng, spec, years, n_areas=6):
    out = []
    areas = AREAS[5:7] + rng.sample(AREAS[:5] + AREAS[7:], n_areas - 2)
    for area in areas:
        for year in rng.sample(years, min(3, len(years))):
            for ind, dim, cat, sex, age, units, src in spec:
                if rng.random() < 0.25:
                    continue
                count = rng.choice([0, 3, 17, 89, 165, 431, 2_318, 12_045])
                for unit in units:
                    if unit == "Counts":
                        value = str(count)
                    elif unit.startswith("Rate"):
                        value = (
                            f"{count / rng.choice([2.8, 21.3, 84.1, 125.7]):.6f}".rstrip(
                                "0"
                            ).rstrip(".")
                            if count
                            else "0"
                        )
                    else:
                        value = f"{rng.uniform(1, 99):.2f}"
                    out.append([*area, ind, dim, cat, sex, age, str(year), unit, value, src])
    out.sort(key=lambda r: (r[0], r[4], r[9]))
    return out


def write_csv(name, rows, header=HEADER):
    with (OUT / name).open("w", newline="", encoding="cp1252") as h:
        w = csv.writer(h, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


rng = random.Random(11)  # noqa: S311 - a fixed seed: the same files each run
T = ("Total",)
# Intentional homicide
V = "Victims of intentional homicide"
homicide = [
    (V, "Total", "Total", "Total", "Total", ("Counts", RATE), "CTS"),
    (V, "Total", "Total", "Female", "Total", ("Counts", RATE), "CTS"),
    (V, "Total", "Total", "Male", "Oct-14", ("Counts", RATE), "CTS/GSH 2023 Revision"),
    (V, "Total", "Total", "Male", "15-29", ("Counts", RATE), "CTS"),
    (V, "Total", "Total", "Female", "60 and older", ("Counts",), "CTS/WHO"),
    (
        V,
        "by mechanisms",
        "Firearms or explosives - firearms",
        "Total",
        "Total",
        ("Counts", RATE),
        "CTS",
    ),
    (V, "by mechanisms", "Another weapon - sharp object", "Total", "Total", ("Counts",), "CTS"),
    (V, "by mechanisms", "Unspecified means", "Total", "Total", ("Counts",), "CTS"),
    (
        V,
        "by relationship to perpetrator",
        "Intimate partner or family member: Intimate partner",
        "Female",
        "Total",
        ("Counts", RATE),
        "CTS",
    ),
    (
        V,
        "by relationship to perpetrator",
        "Intimate partner or family member: Family member",
        "Female",
        "Total",
        ("Counts",),
        "CTS",
    ),
    (V, "by situational context", "Organized crime/gang", "Total", "Total", ("Counts",), "CTS/NSO"),
    (
        V,
        "by situational context",
        "Socio-political homicide - terrorist offences",
        "Total",
        "Total",
        ("Counts",),
        "CTS",
    ),
    (
        "Persons arrested/suspected for intentional homicide",
        "Total",
        "Total",
        "Total",
        "Total",
        ("Counts", RATE),
        "CTS",
    ),
    (
        "Persons convicted for intentional homicide",
        "Total",
        "Total",
        "Male",
        "Total",
        ("Counts",),
        "CTS",
    ),
]
write_csv("data_cts_intentional_homicide.csv", rows_for(rng, homicide, list(range(2015, 2023))))

corruption = [
    ("Offences", "by type of offence", "Corruption", "Total", "Total", ("Counts", RATE), "CTS"),
    (
        "Offences",
        "by type of offence",
        "Corruption: Bribery",
        "Total",
        "Total",
        ("Counts", RATE),
        "CTS",
    ),
    ("Offences", "by type of offence", "Fraud", "Total", "Total", ("Counts", RATE), "CTS"),
    (
        "Offences",
        "by type of offence",
        "Money laundering",
        "Total",
        "Total",
        ("Counts",),
        "CTS/MoI",
    ),
    ("Offences", "by type of offence", "Burglary", "Total", "Total", ("Counts", RATE), "CTS"),
    ("Offences", "by type of offence", "Theft", "Total", "Total", ("Counts", RATE), "CTS"),
    (
        "Offences",
        "by type of offence",
        "Theft: of a motorized vehicle",
        "Total",
        "Total",
        ("Counts", RATE),
        "CTS",
    ),
    (
        "Persons convicted",
        "by type of offence",
        "Corruption: Bribery",
        "Male",
        "Total",
        ("Counts",),
        "CTS",
    ),
    (
        "Persons convicted",
        "by type of offence",
        "Money laundering",
        "Total",
        "Total",
        ("Counts",),
        "CTS",
    ),
]
write_csv(
    "data_cts_corruption_and_economic_crime.csv", rows_for(rng, corruption, list(range(2012, 2023)))
)

justice = [
    (
        "Persons brought into formal contact with the police and/or criminal justice system",
        "Total",
        "Total",
        "Total",
        "Total",
        ("Counts", RATE),
        "CTS",
    ),
    (
        "Persons brought into formal contact with the police and/or criminal justice system",
        "by citizenship",
        "Foreign citizens",
        "Total",
        "Total",
        ("Counts",),
        "CTS",
    ),
    (
        "Persons brought into formal contact with the police and/or criminal justice system",
        "Total",
        "Total",
        "Total",
        "Oct-17",
        ("Counts",),
        "CTS",
    ),
    ("Persons prosecuted", "Total", "Total", "Female", "Total", ("Counts", RATE), "CTS"),
    ("Persons convicted", "Total", "Total", "Total", "Total", ("Counts", RATE), "CTS"),
    ("Persons convicted", "by citizenship", "Nationals", "Male", "Total", ("Counts",), "CTS/NSO"),
    (
        "Criminal Justice Personnel",
        "by type of personnel",
        "Police personnel",
        "Total",
        "Total",
        ("Counts", RATE),
        "CTS",
    ),
    (
        "Criminal Justice Personnel",
        "by type of personnel",
        "Police personnel",
        "Female",
        "Total",
        ("Percentage of total",),
        "CTS",
    ),
    (
        "Criminal Justice Personnel",
        "by type of personnel",
        "Professional judges or magistrates",
        "Total",
        "Total",
        ("Counts", RATE),
        "CTS",
    ),
    (
        "Criminal Justice Personnel",
        "by type of personnel",
        "Prosecution personnel",
        "Total",
        "Total",
        ("Counts",),
        "CTS",
    ),
]
write_csv(
    "data_cts_access_and_functioning_of_justice.csv",
    rows_for(rng, justice, list(range(2014, 2023))),
)

firearms = [
    ("Arms seized", "Total", "Total", "Total", "Total", ("Counts",), "IAFQ"),
    ("Arms seized", "by type of firearm", "Pistol", "Total", "Total", ("Counts",), "IAFQ"),
    ("Arms seized", "by type of firearm", "Revolver", "Total", "Total", ("Counts",), "IAFQ"),
    ("Arms seized", "by type of firearm", "Rifle", "Total", "Total", ("Counts",), "IAFQ"),
    ("Arms seized", "by type of firearm", "Shotgun", "Total", "Total", ("Counts",), "IAFQ"),
    ("Arms seized", "by type of firearm", "Submachine gun", "Total", "Total", ("Counts",), "IAFQ"),
    (
        "Arms seized",
        "by instance of seizure",
        "Illicit trafficking",
        "Total",
        "Total",
        ("Counts",),
        "IAFQ",
    ),
    ("Arms found", "Total", "Total", "Total", "Total", ("Counts",), "IAFQ"),
    ("Arms surrendered", "Total", "Total", "Total", "Total", ("Counts",), "IAFQ/NSO"),
    ("Ammunition seized", "Total", "Total", "Total", "Total", ("Counts",), "IAFQ"),
]
write_csv("data_iafq_firearms_trafficking.csv", rows_for(rng, firearms, list(range(2016, 2022))))

# Prisons: an Excel file with title lines, as the portal's XLSX downloads
prisons = [
    ("Persons held", "Total", "Total", "Total", "Total", ("Counts", RATE), "CTS"),
    (
        "Persons held",
        "by sex",
        "Total",
        "Female",
        "Total",
        ("Counts", "Percentage of total"),
        "CTS",
    ),
    ("Persons held", "by age", "Total", "Total", "Oct-17", ("Counts",), "CTS/WPB"),
    ("Persons held", "by citizenship", "Foreign citizens", "Total", "Total", ("Counts",), "CTS"),
    ("Persons held unsentenced", "Total", "Total", "Total", "Total", ("Counts", RATE), "CTS"),
    (
        "Persons held sentenced",
        "by type of offence",
        "Intentional homicide",
        "Total",
        "Total",
        ("Counts",),
        "CTS",
    ),
    (
        "Persons held sentenced",
        "by type of offence",
        "Drug trafficking",
        "Total",
        "Total",
        ("Counts",),
        "CTS",
    ),
    ("Prison capacity", "Total", "Official capacity", "Total", "Total", ("Counts",), "CTS"),
    (
        "Prison capacity",
        "Total",
        "Occupancy rate",
        "Total",
        "Total",
        ("Percentage of capacity",),
        "CTS",
    ),
]
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "data_cts_prisons_and_prisoners"
ws.append(["Prisons and prisoners"])
ws.append(["Release date: 14/06/2024"])
ws.append([])
ws.append(HEADER)
for r in rows_for(rng, prisons, list(range(2015, 2023))):
    cells = list(r)
    cells[9] = int(cells[9])
    v = cells[11]
    cells[11] = int(v) if v.isdigit() else float(v)
    ws.append(cells)
wb.save(OUT / "data_cts_prisons_and_prisoners.xlsx")

# Trafficking in persons: txtVALUE as strings, "<5", thousands separators
tip = [
    ("Detected trafficking victims", "Total", "Total", "Total", "Total", ("Counts",), "GLOTIP"),
    (
        "Detected trafficking victims",
        "by form of exploitation",
        "Sexual exploitation",
        "Female",
        "Total",
        ("Counts",),
        "GLOTIP",
    ),
    (
        "Detected trafficking victims",
        "by form of exploitation",
        "Forced labour",
        "Male",
        "Total",
        ("Counts",),
        "GLOTIP",
    ),
    (
        "Detected trafficking victims",
        "by form of exploitation",
        "Other purposes",
        "Total",
        "Total",
        ("Counts",),
        "GLOTIP",
    ),
    (
        "Detected trafficking victims",
        "by age and sex",
        "Total",
        "Female",
        "0-17",
        ("Counts",),
        "GLOTIP",
    ),
    (
        "Detected trafficking victims",
        "by age and sex",
        "Total",
        "Male",
        "18 and older",
        ("Counts",),
        "GLOTIP",
    ),
    (
        "Detected trafficking victims",
        "by citizenship",
        "Nationals",
        "Total",
        "Total",
        ("Counts",),
        "GLOTIP",
    ),
    ("Persons prosecuted", "Total", "Total", "Total", "Total", ("Counts",), "GLOTIP"),
    ("Persons convicted", "Total", "Total", "Female", "Total", ("Counts",), "GLOTIP"),
]


def tip_value(v):
    n = int(v)
    if 0 < n < 5:
        return "<5"
    return f"{n:,}"


wb = openpyxl.Workbook()
ws = wb.active
ws.title = "data_glotip"
ws.append(["Global Report on Trafficking in Persons"])
ws.append(["Release date: 11/12/2024"])
ws.append([*HEADER[:11], "txtVALUE", "Source"])
for r in rows_for(
    rng, [(a, b, c, d, e, ("Counts",), g) for a, b, c, d, e, f, g in tip], list(range(2018, 2023))
):
    cells = list(r)
    cells[9] = int(cells[9])
    cells[11] = tip_value(cells[11])
    ws.append(cells)
wb.save(OUT / "data_glotip.xlsx")
for p in sorted(OUT.iterdir()):
    print(p.name, p.stat().st_size)
