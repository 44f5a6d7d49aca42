"""File layouts that carry observations, as the intake engine sees them."""

from __future__ import annotations

from observatory.intake.schema import DatasetSchema, Field
from observatory.intake.schema import FieldType as T

# The data-portal long format: 13 columns, the value as VALUE (or txtVALUE where
# small counts are published as "<5").
PORTAL = DatasetSchema(
    code="observations-unodc-portal",
    label="Statistics in the data-portal long format",
    fields=(
        Field(
            "area",
            "Iso3_code",
            T.AREA,
            required=True,
            synonyms=("Iso3_code", "iso3", "REF_AREA", "country code"),
        ),
        Field("country", "Country", synonyms=("Country",)),
        Field("region", "Region", synonyms=("Region",)),
        Field("subregion", "Subregion", synonyms=("Subregion", "Sub-region")),
        Field("indicator", "Indicator", required=True, synonyms=("Indicator",)),
        Field("dimension", "Dimension", required=True, synonyms=("Dimension",)),
        Field("category", "Category", required=True, synonyms=("Category",)),
        Field("sex", "Sex", required=True, synonyms=("Sex",)),
        Field("age", "Age", required=True, synonyms=("Age",)),
        Field(
            "year",
            "Year",
            T.INTEGER,
            required=True,
            minimum=1900,
            maximum=2100,
            synonyms=("Year", "TIME_PERIOD"),
        ),
        Field(
            "unit",
            "Unit of measurement",
            required=True,
            synonyms=("Unit of measurement", "Unit", "UNIT_MEASURE"),
        ),
        Field("value", "VALUE", required=True, synonyms=("VALUE", "txtVALUE", "OBS_VALUE")),
        Field("source", "Source", synonyms=("Source",)),
    ),
)

# Which portal column feeds which dimension of the dataflow's structure.
PORTAL_DIMENSIONS = {
    "indicator": "INDICATOR",
    "dimension": "DIMENSION",
    "category": "CATEGORY",
    "sex": "SEX",
    "age": "AGE",
    "unit": "UNIT_MEASURE",
}
PORTAL_COLUMNS = [
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
