"""Non-nominal data only: find what looks like a personal identifier before
anything is stored.

The migrant smuggling system takes counts and coded facts, never people. A file
whose columns are named like names, passport or identity numbers, dates of birth,
phone numbers, e-mail or street addresses is refused whole, as is a file whose
cells hold phone numbers, e-mail addresses or "passport no. X1234567"; the
message names the column (and the row) but never repeats the value."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from observatory.reference.matching import fold

# Folded header texts (six UN languages) that name personal identifiers.
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "a name": (
        "name",
        "names",
        "full name",
        "first name",
        "given name",
        "surname",
        "last name",
        "family name",
        "migrant name",
        "smuggler name",
        "nombre",
        "nombres",
        "apellido",
        "apellidos",
        "nom",
        "prenom",
        "nom de famille",
        "姓名",
        "名字",
        "姓",
        "имя",
        "фамилия",
        "фио",
        "الاسم",
        "اسم",
    ),
    "a passport or identity number": (
        "passport",
        "passport number",
        "passport no",
        "passport nr",
        "passport id",
        "id number",
        "id no",
        "identity number",
        "national id",
        "identity card number",
        "document number",
        "numero de pasaporte",
        "pasaporte",
        "dni",
        "cedula",
        "numero de documento",
        "numero de passeport",
        "passeport",
        "carte d identite",
        "numero d identite",
        "护照号",
        "护照号码",
        "护照",
        "身份证",
        "身份证号",
        "证件号码",
        "номер паспорта",
        "паспорт",
        "رقم جواز السفر",
        "جواز السفر",
        "رقم الهوية",
    ),
    "a date of birth": (
        "date of birth",
        "birth date",
        "birthdate",
        "dob",
        "born",
        "fecha de nacimiento",
        "date de naissance",
        "出生日期",
        "生日",
        "дата рождения",
        "تاريخ الميلاد",
    ),
    "a phone number": (
        "phone",
        "phone number",
        "telephone",
        "mobile",
        "cell phone",
        "whatsapp",
        "telefono",
        "celular",
        "movil",
        "telephone portable",
        "numero de telephone",
        "电话",
        "电话号码",
        "手机",
        "手机号",
        "телефон",
        "номер телефона",
        "هاتف",
        "رقم الهاتف",
    ),
    "an e-mail address": (
        "email",
        "e mail",
        "correo",
        "correo electronico",
        "courriel",
        "电子邮件",
        "邮箱",
        "электронная почта",
        "البريد الإلكتروني",
    ),
    "a street address": (
        "address",
        "home address",
        "street address",
        "direccion",
        "domicilio",
        "adresse",
        "地址",
        "住址",
        "адрес",
        "العنوان",
    ),
}
_HEADERS = {fold(text): kind for kind, texts in _HEADER_WORDS.items() for text in texts}
# Words that name an identifier wherever they appear in a header ("N° passeport",
# "Smuggler phone"); the other texts above count only as the whole header
# ("name" alone, not "place name").
_ANYWHERE = {
    fold(text): kind
    for kind, texts in _HEADER_WORDS.items()
    for text in texts
    if kind != "a name" and len(fold(text)) >= 4 and fold(text) not in {"born", "address"}
} | {
    fold(t): "a name"
    for t in (
        "first name",
        "surname",
        "last name",
        "family name",
        "full name",
        "apellido",
        "apellidos",
        "prenom",
        "фамилия",
    )
}


def _header_kind(header: str) -> str | None:
    folded = fold(header)
    if folded in _HEADERS:
        return _HEADERS[folded]
    padded = f" {folded} "
    for text, kind in _ANYWHERE.items():
        if f" {text} " in padded or (not text.isascii() and text in folded):
            return kind
    return None


# Cell patterns. Deliberately narrow: counts, dates and case references pass.
_CELL_PATTERNS: tuple[tuple[str, str], ...] = (
    ("a phone number", r"(?:^|[^\w])(?:\+|00)\d{1,3}[\s.\-()]*\d(?:[\s.\-()]*\d){6,}"),
    ("an e-mail address", r"[\w.+\-]+@[\w\-]+\.[\w.\-]+"),
    (
        "a passport or identity number",
        r"(?i)(?:passport|pasaporte|passeport|护照|паспорт|id card|dni)\D{0,12}[A-Z]{0,2}\d{6,}",
    ),
    (
        "a date of birth",
        r"(?i)(?:born|d\.?o\.?b\.?|date of birth|nacid[oa]|né[e]? le|出生)\W{0,3}\d",
    ),
)


@dataclass(frozen=True)
class Finding:
    kind: str
    column: str
    row: int | None = None  # None: the column's name itself

    def __str__(self) -> str:
        if self.row is None:
            return f"column “{self.column}” looks like {self.kind}"
        return f"row {self.row}, column “{self.column}”: the text looks like {self.kind}"


def header_findings(headers: list[str]) -> list[Finding]:
    return [Finding(kind, h) for h in headers if (kind := _header_kind(h)) is not None]


def cell_findings(frame: pl.DataFrame, headers: list[str], row_column: str) -> list[Finding]:
    """Vectorised over every text cell; at most the first 20 findings."""
    findings: list[Finding] = []
    for header in headers:
        column = pl.col(header).cast(pl.String).fill_null("")
        for kind, pattern in _CELL_PATTERNS:
            rows = frame.filter(column.str.contains(pattern))[row_column].head(20).to_list()
            findings.extend(Finding(kind, header, row) for row in rows)
    return sorted(findings, key=lambda f: (f.row or 0, f.column))[:20]


def text_findings(values: dict[str, str]) -> list[Finding]:
    """The same cell patterns over a form's free-text fields (label -> text)."""
    return [
        Finding(kind, label)
        for label, text in values.items()
        for kind, pattern in _CELL_PATTERNS
        if text and re.search(pattern, text)
    ]


def explain(findings: list[Finding]) -> str:
    lines = "; ".join(str(f) for f in findings[:10])
    more = f" (and {len(findings) - 10} more)" if len(findings) > 10 else ""
    return (
        "This system takes non-nominal data only, and nothing was stored: "
        f"{lines}{more}. Remove personal identifiers (names, passport or ID numbers, "
        "dates of birth, phone numbers, e-mail or street addresses) and upload again."
    )
