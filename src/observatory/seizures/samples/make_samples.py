"""Build the messy sample files in this folder from the synthetic generator.

    .venv/bin/python src/observatory/seizures/samples/make_samples.py

The rows are synthetic (see `observatory.synthetic.seizures`); this script turns
them into files as agencies send them (local languages, odd units, mixed date
formats, other encodings) and plants the deliberate errors listed in README.md.
Re-running it rewrites the same files. It needs openpyxl for the .xlsx file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import polars as pl

from observatory.synthetic.seizures import generate_seizures

HERE = Path(__file__).resolve().parent

# --- Spanish (Colombia) ----------------------------------------------------------------

ES_COUNTRIES = {
    "COL": "Colombia",
    "NLD": "Países Bajos",
    "ESP": "España",
    "USA": "Estados Unidos",
    "BEL": "Bélgica",
    "PRT": "Portugal",
    "FRA": "Francia",
    "ITA": "Italia",
    "DEU": "Alemania",
    "GBR": "Reino Unido",
    "PAN": "Panamá",
    "ECU": "Ecuador",
    "BRA": "Brasil",
    "VEN": "Venezuela",
    "MEX": "México",
    "GTM": "Guatemala",
    "HND": "Honduras",
    "CRI": "Costa Rica",
    "DOM": "República Dominicana",
    "CAN": "Canadá",
    "PER": "Perú",
    "BOL": "Bolivia",
    "CPV": "Cabo Verde",
    "GHA": "Ghana",
    "TGO": "Togo",
    "BEN": "Benín",
    "NGA": "Nigeria",
    "GNB": "Guinea-Bisáu",
    "SEN": "Senegal",
    "ARG": "Argentina",
    "CHL": "Chile",
    "PRY": "Paraguay",
    "URY": "Uruguay",
    "ETH": "Etiopía",
}
# Other ways people write the same countries.
ES_VARIANTS = {
    "USA": ["EE.UU.", "EEUU", "Estados Unidos de América"],
    "NLD": ["Holanda", "Paises Bajos"],
    "ESP": ["Espana", "ESPAÑA"],
    "BEL": ["Belgica"],
    "COL": ["COLOMBIA", "colombia"],
}
ES_DRUGS = {
    "cocaine-hcl": [
        "cocaína",
        "clorhidrato de cocaína",
        "cocaina",
        "Cocaína",
        "COCAINA",
        "clorhidrato de cocaina",
    ],
    "coca-paste": ["base de coca", "pasta base de cocaína", "Base de coca", "pasta de coca"],
    "cannabis-herb": ["marihuana", "Marihuana", "marihuana ", "MARIHUANA", "marijuana"],
    "cannabis-plants": ["plantas de marihuana", "plantas de cannabis"],
    "heroin": ["heroina", "heroína"],
}
_AIRPORT = "Aeropuerto Internacional"
ES_PLACES = {
    "Bogotá El Dorado International Airport": f"{_AIRPORT} El Dorado (Bogotá)",
    "Medellín José María Córdova International Airport": f"{_AIRPORT} José María Córdova",
    "Cali Alfonso Bonilla Aragón International Airport": f"{_AIRPORT} Alfonso Bonilla Aragón",
    "Cartagena Rafael Núñez International Airport": f"{_AIRPORT} Rafael Núñez (Cartagena)",
    "Cúcuta (Simón Bolívar bridge)": "Cúcuta (puente Simón Bolívar)",
    "Pacific Ocean off Nariño": "Océano Pacífico, frente a Nariño",
    "Caribbean Sea off La Guajira": "Mar Caribe, frente a La Guajira",
    "Bogotá international mail centre": "Centro de clasificación postal internacional, Bogotá",
}
ES_PLACE_TYPES = {
    "airport": "Aeropuerto",
    "seaport": "Puerto",
    "land_border": "Frontera",
    "inland": "Interior",
    "mail_centre": "Correo",
    "at_sea": "Mar",
    "unknown": "",
}
ES_TRANSPORT = {
    "air": "Aéreo",
    "sea": "Marítimo",
    "road": "Terrestre",
    "rail": "Férreo",
    "postal": "Postal",
    "pedestrian": "A pie",
    "unknown": "Desconocido",
}
ES_CONCEALMENT = {
    "air cargo (food products)": "carga aérea (alimentos)",
    "air cargo (textiles)": "carga aérea (textiles)",
    "air cargo (flowers)": "carga aérea (flores)",
    "backpacks": "morrales",
    "backyard": "patio",
    "body packing": "ingestión (mula)",
    "body packing (inserted)": "cavidades corporales",
    "body packing (swallowed capsules)": "cápsulas ingeridas",
    "bottles (liquid cocaine)": "botellas (cocaína líquida)",
    "bus (luggage)": "bus (equipaje)",
    "car boot": "baúl del vehículo",
    "cargo ship hull": "casco del buque",
    "clandestine airstrip": "pista clandestina",
    "clandestine laboratory": "laboratorio",
    "clothing": "prendas de vestir",
    "container (bananas)": "contenedor (banano)",
    "container (ceramic tiles)": "contenedor (baldosas)",
    "container (cocoa beans)": "contenedor (cacao)",
    "container (coffee)": "contenedor (café)",
    "container (frozen fish)": "contenedor (pescado congelado)",
    "container (fruit juice)": "contenedor (jugo de fruta)",
    "container (pineapples)": "contenedor (piña)",
    "container (rip-on/rip-off)": "contenedor (gancho ciego)",
    "container (scrap metal)": "contenedor (chatarra)",
    "container (timber)": "contenedor (madera)",
    "farm building": "finca",
    "fishing vessel": "barco pesquero",
    "go-fast boat": "lancha rápida",
    "greenhouse": "invernadero",
    "hand luggage": "equipaje de mano",
    "indoor cultivation": "cultivo bajo techo",
    "letter": "carta",
    "light aircraft": "avioneta",
    "lorry (cargo)": "camión (carga)",
    "lorry (fruit and vegetables)": "camión (frutas y verduras)",
    "luggage": "maleta",
    "luggage (clothing)": "maleta (ropa)",
    "motorcycle": "motocicleta",
    "on body": "adherida al cuerpo",
    "outdoor plantation": "cultivo",
    "parcel": "paquete",
    "parcel (books)": "paquete (libros)",
    "parcel (clothing)": "paquete (ropa)",
    "parcel (toys)": "paquete (juguetes)",
    "pickup truck (cargo)": "camioneta",
    "residence": "vivienda",
    "river boat": "embarcación fluvial",
    "sailing yacht": "velero",
    "sea drop (floating packages)": "paquetes flotando en el mar",
    "semi-submersible": "semisumergible",
    "shoes": "zapatos",
    "spare tyre": "llanta de repuesto",
    "storage facility": "caleta",
    "suitcase (false bottom)": "maleta (doble fondo)",
    "vehicle": "vehículo",
    "vehicle compartment": "caleta en vehículo",
    "warehouse": "bodega",
}


def _es_country(code: str, pick: int) -> str:
    if not code:
        return ""
    variants = ES_VARIANTS.get(code, [])
    if variants and pick % 7 == 0:
        return variants[pick % len(variants)]
    return ES_COUNTRIES.get(code, code)


def _es_number(value: float, pick: int) -> str | float:
    """A Spanish-formatted string in some rows ("12,5"), a number in others."""
    if pick % 3 == 0:
        return value
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def build_colombia(path: Path) -> list[str]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    frame = generate_seizures(12_000, seed=57, start_year=2024, end_year=2024)
    rows = (
        frame.filter(pl.col("reporting_area") == "COL", pl.col("unit") != "l")
        .sample(300, seed=57)
        .sort("seizure_date", "case_reference")
    )
    headers = [
        "Fecha",
        "País",
        "Lugar",
        "Tipo de lugar",
        "Droga",
        "Cantidad",
        "Unidad",
        "País de origen",
        "País de destino",
        "Países de tránsito",
        "Medio de transporte",
        "Ocultamiento",
        "Detenidos",
        "Referencia",
    ]
    records: list[list[object]] = []
    for i, r in enumerate(rows.iter_rows(named=True)):
        drug, destination = r["drug"], r["destination_area"]
        # Colombian heroin couriers to the United States, a few at the airports.
        if r["place_type"] == "airport" and drug == "cocaine-hcl" and i % 4 == 0:
            drug, destination = "heroin", "USA"
        names = ES_DRUGS[drug]
        quantity, unit = r["quantity"], r["unit"]
        if unit == "t":
            quantity, unit = quantity * 1000, "kg"
        unit_text = {
            "kg": ["kg", "Kilogramos", "kg", "KG", "kilos"][i % 5],
            "g": ["gramos", "g", "gramos", "gr"][i % 4],
            "plant": "plantas",
        }[unit]
        date: object = r["seizure_date"]
        if i % 2 == 1:
            date = r["seizure_date"].strftime("%d/%m/%Y")
        transits = [_es_country(c, i) for c in r["transit_areas"].split(";") if c]
        separator = [", ", " - ", "; ", ", "][i % 4]
        records.append(
            [
                date,
                "Colombia" if i % 9 else "COLOMBIA",
                ES_PLACES.get(r["place"], r["place"]),
                ES_PLACE_TYPES[r["place_type"]],
                names[i % len(names)],
                _es_number(quantity, i),
                unit_text,
                _es_country(r["origin_area"], i),
                _es_country(destination, i),
                separator.join(transits),
                ES_TRANSPORT[r["transport_mode"]],
                ES_CONCEALMENT.get(r["concealment"], ""),
                r["persons_arrested"],
                r["case_reference"],
            ]
        )

    # Deliberate errors (spreadsheet row = index + 2; the header is row 1).
    problems: list[str] = []

    def plant(index: int, text: str) -> None:
        problems.append(f"| {index + 2} | {text} |")

    records[17][5] = "-25"
    plant(17, "negative quantity (`-25`)")
    records[38][4] = "xyz"
    plant(38, "unknown drug `xyz`")
    records[61][0] = "15/03/2031"
    plant(61, "date in the future (`15/03/2031`)")
    records[84][4] = ""
    plant(84, "required field empty: `Droga`")
    records[102][5] = ""
    plant(102, "required field empty: `Cantidad`")
    records[127][0] = None
    plant(127, "required field empty: `Fecha`")
    records[150][13] = records[149][13]
    plant(150, f"duplicate `Referencia` ({records[149][13]}, same as row {149 + 2})")
    records[173][4], records[173][5], records[173][6] = "cocaína", "12.000", "kg"
    plant(173, "outlier: `12.000` kg of cocaine (Spanish thousands separator: twelve tonnes)")
    records[196][0] = "31/02/2024"
    plant(196, "impossible date (`31/02/2024`)")
    records[221][6] = "bultos"
    plant(221, "unknown unit `bultos` (bundles)")

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Incautaciones 2024"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append(record)
    for row in sheet.iter_rows(min_row=2, max_col=1):
        if isinstance(row[0].value, dt.date):
            row[0].number_format = "DD/MM/YYYY"
    for column, width in zip(
        "ABCDEFGHIJKLMN", (12, 10, 34, 12, 24, 10, 11, 16, 18, 30, 14, 28, 10, 18), strict=True
    ):
        sheet.column_dimensions[column].width = width
    # A fixed timestamp keeps the file identical between runs.
    workbook.properties.created = dt.datetime(2025, 1, 15, 9, 0)
    workbook.properties.modified = dt.datetime(2025, 1, 15, 9, 0)
    workbook.properties.creator = "Observatory sample data (synthetic)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_stable_zip(buffer.getvalue()))
    return problems


def _stable_zip(data: bytes) -> bytes:
    """The same .xlsx bytes on every run: fixed entry timestamps and document dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-15T09:00:00Z", content
                )
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=(2025, 1, 15, 9, 0, 0)),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


# --- Chinese (Thailand) ----------------------------------------------------------------

ZH_COUNTRIES = {
    "THA": "泰国",
    "MMR": "缅甸",
    "LAO": "老挝",
    "AUS": "澳大利亚",
    "JPN": "日本",
    "MYS": "马来西亚",
    "KHM": "柬埔寨",
    "VNM": "越南",
    "CHN": "中国",
    "KOR": "韩国",
    "IDN": "印度尼西亚",
    "PHL": "菲律宾",
    "NZL": "新西兰",
    "TWN": "中国台湾",
    "HKG": "中国香港",
    "NLD": "荷兰",
    "BEL": "比利时",
    "USA": "美国",
    "CAN": "加拿大",
    "IND": "印度",
    "DEU": "德国",
    "GBR": "英国",
    "FRA": "法国",
    "AFG": "阿富汗",
}
ZH_PLACES = {
    "Bangkok": "曼谷",
    "Chiang Rai": "清莱",
    "Chiang Mai": "清迈",
    "Mae Sai": "美赛",
    "Chiang Saen": "清盛",
    "Udon Thani": "乌隆他尼",
    "Nakhon Phanom": "那空拍侬",
    "Songkhla": "宋卡",
    "Bangkok Suvarnabhumi Airport": "曼谷素万那普机场",
    "Bangkok Don Mueang International Airport": "曼谷廊曼国际机场",
    "Chiang Mai International Airport": "清迈国际机场",
    "Phuket International Airport": "普吉国际机场",
    "Laem Chabang": "林查班港",
    "Bangkok Port": "曼谷港",
    "Ranong": "拉廊",
    "Mae Sot": "湄索",
    "Nong Khai": "廊开",
    "Sadao": "沙道",
    "Andaman Sea off Ranong": "拉廊外海（安达曼海）",
    "Gulf of Thailand": "泰国湾",
    "Bangkok international mail centre": "曼谷国际邮件中心",
}
ZH_TRANSPORT = {
    "air": "空运",
    "sea": "海运",
    "road": "陆运",
    "rail": "铁路",
    "postal": "邮寄",
    "pedestrian": "步行",
    "unknown": "不详",
}
ZH_UNITS = {"g": "克", "kg": "公斤", "tablet": "片", "plant": "株", "t": "吨"}


def _zh_drug(drug: str, unit: str, i: int) -> str:
    if drug == "methamphetamine":
        return "麻古" if unit == "tablet" else ["冰毒", "冰毒", "甲基苯丙胺"][i % 3]
    return {
        "heroin": "海洛因",
        "mdma": "摇头丸",
        "ketamine": "K粉",
        "cannabis-herb": "大麻",
        "cannabis-plants": "大麻",
        "opium": "鸦片",
        "cannabis-resin": "大麻脂",
    }[drug]


def _zh_date(day: dt.date, i: int) -> str:
    style = i % 3
    if style == 0:
        return day.isoformat()
    if style == 1:
        return f"{day.year}/{day.month}/{day.day}"
    return f"{day.year}年{day.month}月{day.day}日"


def _zh_quantity(value: float, unit: str, i: int) -> str:
    if unit in ("tablet", "plant"):
        return f"{int(value):,}" if value >= 10_000 and i % 2 == 0 else str(int(value))
    return f"{value:g}"


def build_thailand(path: Path) -> list[str]:
    frame = generate_seizures(6_000, seed=58, start_year=2023, end_year=2023)
    rows = (
        frame.filter(pl.col("reporting_area") == "THA")
        .sample(200, seed=58)
        .sort("seizure_date", "case_reference")
    )
    headers = [
        "日期",
        "国家",
        "地点",
        "毒品",
        "数量",
        "单位",
        "来源国",
        "目的国",
        "运输方式",
        "案件编号",
    ]
    records: list[list[str]] = []
    for i, r in enumerate(rows.iter_rows(named=True)):
        records.append(
            [
                _zh_date(r["seizure_date"], i),
                "泰国",
                ZH_PLACES.get(r["place"], r["place"]),
                _zh_drug(r["drug"], r["unit"], i),
                _zh_quantity(r["quantity"], r["unit"], i),
                ZH_UNITS[r["unit"]],
                ZH_COUNTRIES.get(r["origin_area"], ""),
                ZH_COUNTRIES.get(r["destination_area"], ""),
                ZH_TRANSPORT[r["transport_mode"]],
                r["case_reference"],
            ]
        )
    problems: list[str] = []

    def plant(index: int, text: str) -> None:
        problems.append(f"| {index + 2} | {text} |")

    records[12][3] = "神奇粉"
    plant(12, 'unknown drug `神奇粉` ("magic powder")')
    records[35][0] = "1950-01-01"
    plant(35, "date `1950-01-01` (decades before the data set)")
    records[58][4] = "abc"
    plant(58, "quantity `abc`")
    records[81][0] = ""
    plant(81, "missing date")
    records[104][4] = "-5"
    plant(104, "negative quantity (`-5`)")
    records[127][5] = "箱"
    plant(127, "unknown unit `箱` (boxes)")
    records[150][7] = "火星"
    plant(150, "unknown destination country `火星` (Mars)")
    records[173][9] = records[172][9]
    plant(173, f"duplicate `案件编号` ({records[172][9]}, same as row {172 + 2})")

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(records)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return problems


# --- Old IDS export (English, Latin-1, ";") --------------------------------------------

EN_COUNTRIES = {
    "NLD": "Netherlands",
    "GBR": "United Kingdom",
    "USA": "United States of America",
    "BOL": "Bolivia (Plurinational State of)",
    "VEN": "Venezuela",
    "IRN": "Iran",
    "TUR": "Turkey",
    "RUS": "Russian Federation",
    "KOR": "Republic of Korea",
    "CIV": "Côte d'Ivoire",
    "CPV": "Cape Verde",
    "MKD": "North Macedonia",
    "LAO": "Lao PDR",
    "SYR": "Syrian Arab Republic",
    "TZA": "United Republic of Tanzania",
    "CZE": "Czechia",
    "HKG": "Hong Kong, China",
    "TWN": "Taiwan Province of China",
    "VNM": "Viet Nam",
    "MDA": "Republic of Moldova",
    "COD": "Democratic Republic of the Congo",
}
EN_DRUGS = {
    "cocaine-hcl": "Cocaine hydrochloride",
    "cannabis-herb": "Cannabis herb",
    "cannabis-resin": "Cannabis resin",
    "heroin": "Heroin",
    "methamphetamine": "Methamphetamine",
    "mdma": "Ecstasy",
    "amphetamine": "Amphetamine",
    "opium": "Opium",
    "ketamine": "Ketamine",
    "coca-paste": "Cocaine base",
    "crack": "Crack cocaine",
    "captagon": "Captagon",
    "fentanyl": "Fentanyl",
    "tramadol": "Tramadol",
    "codeine": "Codeine",
}
EN_UNITS = {"g": "Gram", "kg": "Kilogram", "tablet": "Tablet", "l": "Litre"}
EN_TRANSPORT = {
    "air": "Air",
    "sea": "Sea",
    "road": "Road",
    "rail": "Rail",
    "postal": "Mail",
    "pedestrian": "Other",
    "unknown": "Unknown",
}


def _m49_names() -> dict[str, str]:
    path = HERE.parent.parent / "reference" / "data" / "unsd-m49-en.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["ISO-alpha3 Code"]: row["Country or Area"] for row in csv.DictReader(handle)}


def build_ids_export(path: Path) -> list[str]:
    m49 = _m49_names()

    def name(code: str) -> str:
        return EN_COUNTRIES.get(code) or m49.get(code, code) if code else "Unknown"

    frame = generate_seizures(30_000, seed=59, start_year=2019, end_year=2021)
    rows = (
        frame.filter(pl.col("unit").is_in(list(EN_UNITS)) | (pl.col("unit") == "t"))
        .filter(pl.col("drug").is_in(list(EN_DRUGS)))
        .sample(150, seed=59)
        .sort("seizure_date")
    )
    headers = [
        "COUNTRY_OF_SEIZURE",
        "SEIZURE_DATE",
        "DRUG_NAME",
        "AMOUNT_OF_DRUG",
        "DRUG_UNIT",
        "PRODUCING_COUNTRY",
        "DEPARTURE_COUNTRY",
        "DESTINATION_COUNTRY",
        "TRANSPORT",
        "CASE_NO",
    ]
    records: list[list[str]] = []
    for r in rows.iter_rows(named=True):
        quantity, unit = r["quantity"], r["unit"]
        if unit == "t":
            quantity, unit = quantity * 1000, "kg"
        records.append(
            [
                name(r["reporting_area"]),
                r["seizure_date"].strftime("%m/%d/%Y"),
                EN_DRUGS[r["drug"]],
                f"{quantity:g}",
                EN_UNITS[unit],
                name(r["origin_area"]),
                name(r["departure_area"]),
                name(r["destination_area"]),
                EN_TRANSPORT[r["transport_mode"]],
                r["case_reference"].replace("-", "/"),
            ]
        )
    # Côte d'Ivoire: a departure country of cocaine for Europe, and a domestic seizure.
    europe = {
        "Spain",
        "Netherlands",
        "Belgium",
        "Portugal",
        "France",
        "Italy",
        "Germany",
        "United Kingdom",
    }
    to_europe = [
        i
        for i, record in enumerate(records)
        if record[2] == "Cocaine hydrochloride" and record[7] in europe
    ]
    for index in to_europe[:3]:
        records[index][6] = "Côte d'Ivoire"
    herb = next(
        i
        for i, record in enumerate(records)
        if record[2] == "Cannabis herb" and record[0] == record[5] == record[7]
    )
    records[herb][0] = records[herb][5] = records[herb][6] = records[herb][7] = "Côte d'Ivoire"
    records[herb][9] = "CIV/" + records[herb][9].split("/", 1)[1]
    problems: list[str] = []

    def plant(index: int, text: str) -> None:
        problems.append(f"| {index + 2} | {text} |")

    records[30][2] = "Other"
    plant(30, "`DRUG_NAME` is `Other`")
    records[64][2] = "Unknown"
    plant(64, "`DRUG_NAME` is `Unknown`")
    records[99][3] = "0"
    plant(99, "`AMOUNT_OF_DRUG` is `0`")
    records[111][4] = "Unknown"
    plant(111, "`DRUG_UNIT` is `Unknown`")
    records[132][1] = "02/30/2020"
    plant(132, "impossible date `02/30/2020`")

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(records)
    path.write_bytes(buffer.getvalue().encode("latin-1"))
    return problems


def main() -> None:
    builders = {
        "incautaciones_colombia_2024.xlsx": build_colombia,
        "缉获_泰国_2023.csv": build_thailand,
        "ids_export_latin1.csv": build_ids_export,
    }
    for filename, build in builders.items():
        problems = build(HERE / filename)
        size = (HERE / filename).stat().st_size
        print(f"{filename}: {size:,} bytes")
        print("\n".join(problems))


if __name__ == "__main__":
    main()
