"""Tables in the layouts of the drug report's statistical annex, for the demo
and the tests: national seizures wide by year (with a title, a source line, a
notes sheet, "..", "1,757" beside "1,205.5", 3.5e-06), prices with typical,
minimum and maximum columns, prevalence one sheet per drug (best, low, high;
age groups as countries report them), cultivation one column per year.

The layouts and the drug names are the annex's (DOMAIN.md); the numbers are
of the order the annex publishes, not copied from it: illustrative."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


Sheets = dict[str, list[list[Any]]]

SEIZURES: Sheets = {
    "Seizures": [
        ["Annex 6.1 Quantities of drugs seized, 2017-2021 (kilograms)"],
        ["Source: UNODC, responses to the annual report questionnaire"],
        [],
        ["Region", "Subregion", "Country/Territory", "Drug group", "Drug", "Msr unit",
         2017, 2018, 2019, 2020, 2021],
        ["Americas", "South America", "Colombia", "Cocaine-type", "Cocaine hydrochloride",
         "Kilograms", 435431.4, 414514.91, 433769.9, 505650.7, 669864.5],
        ["Americas", "South America", "Colombia", "Cannabis-type",
         "Cannabis herb (marijuana)", "Kilograms", None, "..", 461251.2, "1,205.5", None],
        ["Europe", "Western Europe", "Netherlands", "MDMA",
         "3,4-methylenedioxymethamphetamine (MDMA)", "Units", None, None, "1,757", None, None],
        ["Asia", "South-Eastern Asia", "Myanmar", "Opioids", "Poppy plants", "Units",
         None, None, None, 12000, None],
        ["Asia", "South-Eastern Asia", "Myanmar", "Precursors", "Methylamine", "Kilograms",
         None, None, None, None, 3.5e-06],
        ["Asia", "South-Eastern Asia", "Myanmar", "Hallucinogens", "DMT", "Kilograms",
         None, None, 0.25, None, None],
    ],
    "Notes": [["Notes: quantities are bulk weight."]],
}  # fmt: skip
PRICES: Sheets = {
    "Prices": [
        ["Region", "Subregion", "Country/Territory", "Drug", "Level", "Typical", "Minimum",
         "Maximum", "Unit", "Year"],
        ["Europe", "Western Europe", "France", "Cocaine hydrochloride", "Retail", 73.5, 55,
         110, "g", 2021],
        ["Europe", "Western Europe", "France", "Cocaine hydrochloride", "Wholesale", 37000,
         32000, 41000, "kg", 2021],
        ["Europe", "Western Europe", "France", "Cannabis resin (hashish)", "Retail", 9.2, None,
         None, "10 g", 2021],
        ["Asia", "South-Eastern Asia", "Thailand", "Methamphetamine", "Retail", 3.1, 1.5, 6,
         "1 tablet", 2021],
    ]
}  # fmt: skip
PREVALENCE: Sheets = {
    name: [
        ["Region", "Subregion", "Country/Territory", "Year", "Age", "Prevalence", "Best",
         "Low", "High"],
        *rows,
    ]
    for name, rows in {
        "Cannabis": [
            ["Americas", "North America", "Canada", 2019, "15-64", "Past year", 25.4, None, None],
            ["Europe", "Western Europe", "Germany", 2018, "18-64", "Past year", 7.1, 6.5, 7.8],
            ["Oceania", "Australia and New Zealand", "Australia", 2019, "14+", "Past year",
             11.6, None, None],
        ],
        "Cocaine": [
            ["Europe", "Southern Europe", "Spain", 2020, "15-64", "Past year", 2.5, 2.2, 2.8],
            ["Americas", "South America", "Uruguay", 2018, "15-65", "Past year", 0.9, None, None],
        ],
    }.items()
}  # fmt: skip
CULTIVATION: Sheets = {
    "Coca bush": [
        ["Country", "Measure", "Unit", 2018, 2019, 2020, 2021],
        ["Colombia", "Cultivation", "ha", 169000, 154000, 143000, 204000],
        ["Peru", "Cultivation", "ha", 54134, 54655, 61777, 80681],
        ["Bolivia (Plurinational State of)", "Cultivation", "ha", 23100, 25500, 29400, 30500],
        ["Colombia", "Eradication", "ha", 60000, 94606, 130147, 103302],
    ]
}  # fmt: skip


# dataflow -> the sheets of its table
TABLES: dict[str, Sheets] = {
    "DF_DRUG_SEIZURES": SEIZURES,
    "DF_DRUG_PRICES": PRICES,
    "DF_DRUG_PREVALENCE": PREVALENCE,
    "DF_DRUG_CULTIVATION": CULTIVATION,
}
