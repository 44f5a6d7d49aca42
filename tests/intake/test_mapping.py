"""Column mapping: real headers in the six UN languages and old IDS exports are
proposed to the seizure fields; remembered mappings win; --map pairs are checked."""

from __future__ import annotations

import pytest

from observatory.intake.mapping import (
    ProposedColumn,
    layout_signature,
    parse_mapping_options,
    propose_mapping,
)
from observatory.seizures.schema import SEIZURES

HEADERS: dict[str, dict[str, str]] = {
    "Spanish (Colombian workbook)": {
        "Fecha": "seizure_date",
        "País": "area",
        "Lugar": "place",
        "Tipo de lugar": "place_type",
        "Droga": "drug",
        "Cantidad": "quantity",
        "Unidad": "unit",
        "País de origen": "origin_area",
        "País de destino": "destination_area",
        "Países de tránsito": "transit_areas",
        "Medio de transporte": "transport_mode",
        "Ocultamiento": "concealment",
        "Detenidos": "persons_arrested",
        "Referencia": "case_reference",
    },
    "Chinese (Thai file)": {
        "日期": "seizure_date",
        "国家": "area",
        "地点": "place",
        "毒品": "drug",
        "数量": "quantity",
        "单位": "unit",
        "来源国": "origin_area",
        "目的国": "destination_area",
        "运输方式": "transport_mode",
        "案件编号": "case_reference",
    },
    "French": {
        "Date de saisie": "seizure_date",
        "Pays": "area",
        "Lieu": "place",
        "Type de lieu": "place_type",
        "Drogue": "drug",
        "Quantité": "quantity",
        "Unité": "unit",
        "Pureté": "purity_percent",
        "Pays d'origine": "origin_area",
        "Pays de départ": "departure_area",
        "Pays de transit": "transit_areas",
        "Pays de destination": "destination_area",
        "Mode de transport": "transport_mode",
        "Dissimulation": "concealment",
        "Service saisissant": "seizing_agency",
        "Personnes arrêtées": "persons_arrested",
        "Nationalité": "arrested_nationalities",
        "Sexe": "arrested_sex",
        "Référence": "case_reference",
        "Remarques": "notes",
    },
    "Russian": {
        "Дата изъятия": "seizure_date",
        "Страна": "area",
        "Место": "place",
        "Тип места": "place_type",
        "Наркотик": "drug",
        "Количество": "quantity",
        "Единица измерения": "unit",
        "Чистота": "purity_percent",
        "Страна происхождения": "origin_area",
        "Страна отправления": "departure_area",
        "Страны транзита": "transit_areas",
        "Страна назначения": "destination_area",
        "Вид транспорта": "transport_mode",
        "Способ сокрытия": "concealment",
        "Ведомство": "seizing_agency",
        "Задержано": "persons_arrested",
        "Гражданство": "arrested_nationalities",
        "Пол": "arrested_sex",
        "Номер дела": "case_reference",
        "Примечания": "notes",
    },
    "Arabic": {
        "تاريخ الضبط": "seizure_date",
        "البلد": "area",
        "المكان": "place",
        "نوع المكان": "place_type",
        "المخدر": "drug",
        "الكمية": "quantity",
        "الوحدة": "unit",
        "النقاوة": "purity_percent",
        "بلد المنشأ": "origin_area",
        "بلد المغادرة": "departure_area",
        "بلدان العبور": "transit_areas",
        "بلد المقصد": "destination_area",
        "وسيلة النقل": "transport_mode",
        "طريقة الإخفاء": "concealment",
        "الجهة": "seizing_agency",
        "المقبوض عليهم": "persons_arrested",
        "الجنسية": "arrested_nationalities",
        "الجنس": "arrested_sex",
        "رقم القضية": "case_reference",
        "ملاحظات": "notes",
    },
    "IDS export": {
        "COUNTRY_OF_SEIZURE": "area",
        "SEIZURE_DATE": "seizure_date",
        "DRUG_NAME": "drug",
        "AMOUNT_OF_DRUG": "quantity",
        "DRUG_UNIT": "unit",
        "PRODUCING_COUNTRY": "origin_area",
        "DEPARTURE_COUNTRY": "departure_area",
        "DESTINATION_COUNTRY": "destination_area",
        "TRANSPORT": "transport_mode",
        "CASE_NO": "case_reference",
    },
}


def as_dict(proposal: list[ProposedColumn]) -> dict[str, str | None]:
    return {column.header: column.field for column in proposal}


@pytest.mark.parametrize("language", list(HEADERS))
def test_real_headers_are_proposed_to_the_seizure_fields(language: str) -> None:
    expected = HEADERS[language]

    proposal = propose_mapping(list(expected), SEIZURES)

    assert as_dict(proposal) == expected
    assert [column.header for column in proposal] == list(expected)  # the file's order
    assert {column.confidence for column in proposal} == {1.0}


def test_every_field_is_used_at_most_once() -> None:
    # Given three headers that each name the date
    headers = ["Fecha", "fecha", "Date", "Droga"]

    proposal = propose_mapping(headers, SEIZURES)

    # Then only the first gets the field
    assert as_dict(proposal) == {
        "Fecha": "seizure_date",
        "fecha": None,
        "Date": None,
        "Droga": "drug",
    }
    assert [column.confidence for column in proposal] == [1.0, 0.0, 0.0, 1.0]


def test_headers_are_matched_regardless_of_case_accents_and_spacing() -> None:
    proposal = propose_mapping(["  PAIS DE ORIGEN ", "fecha_de_incautacion", "UNIDAD"], SEIZURES)

    assert as_dict(proposal) == {
        "  PAIS DE ORIGEN ": "origin_area",
        "fecha_de_incautacion": "seizure_date",
        "UNIDAD": "unit",
    }


def test_a_close_misspelling_is_proposed_with_its_confidence() -> None:
    [column] = propose_mapping(["Cantidadd"], SEIZURES)

    assert column.field == "quantity"
    assert 0.86 <= column.confidence < 1.0


def test_unrelated_headers_are_left_unmapped() -> None:
    proposal = propose_mapping(["Colour", "Weather", ""], SEIZURES)

    assert [(column.field, column.confidence) for column in proposal] == [(None, 0.0)] * 3


def test_remembered_mappings_win_over_proposals() -> None:
    # Given an organisation that confirmed its own meaning for three headers
    remembered = {"Droga": "notes", "Código": "case_reference", "Fecha": "no_such_field"}

    proposal = propose_mapping(["Fecha", "Droga", "Código", "Sustancia"], SEIZURES, remembered)

    # Then those are used; an outdated field name falls back to the proposal
    assert as_dict(proposal) == {
        "Fecha": "seizure_date",
        "Droga": "notes",
        "Código": "case_reference",
        "Sustancia": "drug",
    }
    assert [column.confidence for column in proposal] == [1.0, 1.0, 1.0, 1.0]


def test_a_remembered_mapping_wins_even_over_an_earlier_exact_header() -> None:
    # Given an organisation whose file has a "Fecha" (of the report) and a "Fecha del
    # hecho" (of the seizure), and who told us the second is the seizure date
    remembered = {"Fecha del hecho": "seizure_date"}

    proposal = propose_mapping(["Fecha", "Fecha del hecho", "Droga"], SEIZURES, remembered)

    # Then the remembered column feeds the field, not the first header that names it
    assert as_dict(proposal) == {"Fecha": None, "Fecha del hecho": "seizure_date", "Droga": "drug"}


def test_parse_mapping_options_reads_source_field_pairs() -> None:
    mapping = parse_mapping_options(["Fecha=seizure_date", " Droga del caso = drug "], SEIZURES)

    assert mapping == {"Fecha": "seizure_date", "Droga del caso": "drug"}


def test_parse_mapping_options_takes_the_last_pair_for_a_column() -> None:
    pairs = ["Fecha=seizure_date", "Fecha=notes"]

    assert parse_mapping_options(pairs, SEIZURES) == {"Fecha": "notes"}
    assert parse_mapping_options([], SEIZURES) == {}


def test_parse_mapping_options_refuses_unknown_fields() -> None:
    with pytest.raises(
        ValueError,
        match=r"--map 'Fecha=fecha': unknown field 'fecha'; fields are "
        r"seizure_date, area, place, ",
    ):
        parse_mapping_options(["Fecha=fecha"], SEIZURES)


@pytest.mark.parametrize("pair", ["Fecha", "=drug", "Fecha=", " = ", ""])
def test_parse_mapping_options_refuses_bad_pairs(pair: str) -> None:
    with pytest.raises(ValueError, match=r"--map expects SOURCE=field, got "):
        parse_mapping_options([pair], SEIZURES)


def test_layout_signature_is_stable_for_the_same_headers() -> None:
    headers = ["Fecha", "Droga", "Cantidad", "Unidad"]

    signature = layout_signature(headers)

    assert signature == layout_signature(list(headers))
    assert signature == layout_signature([" FECHA", "droga ", "CANTIDAD", "unidad"])
    assert len(signature) == 32
    assert int(signature, 16) >= 0


def test_layout_signature_changes_with_order_or_columns() -> None:
    signature = layout_signature(["Fecha", "Droga"])

    assert layout_signature(["Droga", "Fecha"]) != signature
    assert layout_signature(["Fecha", "Droga", "Cantidad"]) != signature
    assert layout_signature(["Fecha Droga"]) != signature
