"""The normaliser: text in any of the six languages, codes, variants and
misspellings -> codes, with a confidence and ranked suggestions."""

from __future__ import annotations

import pytest

from observatory.reference.normalise import fold, normalise

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("heroine", "heroin"),
        ("Heroin", "heroin"),
        ("海洛因", "heroin"),
        ("白粉", "heroin"),
        ("冰毒", "methamphetamine"),
        ("yaba", "methamphetamine"),
        ("摇头丸", "mdma"),
        ("ecstasy", "mdma"),
        ("K粉", "ketamine"),
        ("cocaína", "cocaine"),
        ("crack", "crack"),
        ("marihuana", "cannabis-herb"),
        ("hashish", "cannabis-resin"),
        ("  HASHISH ", "cannabis-resin"),
    ],
)
def test_drug_names_in_any_language_resolve(text: str, code: str) -> None:
    match = normalise("drug", text)
    assert (match.code, match.confidence) == (code, 1.0)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Holland", "NLD"),
        ("Netherlands", "NLD"),
        ("荷兰", "NLD"),
        ("Países Bajos", "NLD"),
        ("USA", "USA"),
        ("United States of America", "USA"),
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("Ivory Coast", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("Côte dIvoire", "CIV"),  # as a Latin-1 portal export spells it
        ("CO", "COL"),
        ("col", "COL"),
        ("170", "COL"),
        ("GBR_EW", "GBR_EW"),
        ("GBR_E_W", "GBR_EW"),
        ("XKX", "KOS"),
        ("Kosovo under UNSCR 1244", "KOS"),
        ("Колумбия", "COL"),
        ("كولومبيا", "COL"),
    ],
)
def test_area_variants_codes_and_languages_resolve(text: str, code: str) -> None:
    assert normalise("area", text).code == code


def test_a_misspelling_close_to_one_name_resolves_with_lower_confidence() -> None:
    match = normalise("area", "Netherland")
    assert match.code == "NLD"
    assert 0.85 <= match.confidence < 1.0


def test_an_unclear_misspelling_is_not_guessed_but_suggested() -> None:
    match = normalise("drug", "Herion")
    assert match.code is None
    assert match.suggestions[0].code == "heroin"


def test_two_close_candidates_are_not_guessed() -> None:
    # "Nigerai" is near both Nigeria and Niger: the user must choose.
    match = normalise("area", "Nigerai")
    assert match.code is None
    assert {s.code for s in match.suggestions[:2]} == {"NGA", "NER"}


def test_short_unknown_text_never_fuzzy_matches() -> None:
    assert normalise("area", "ZZ").code is None


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_is_unresolved(text: object) -> None:
    match = normalise("drug", text)
    assert (match.code, match.confidence, match.suggestions) == (None, 0.0, ())


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Gram", "g"),
        ("grams", "g"),
        ("Kilogram", "kg"),
        ("公斤", "kg"),
        ("Tablet", "tablet"),
        ("litres", "l"),
        ("ml", "ml"),
    ],
)
def test_units_resolve(text: str, code: str) -> None:
    assert normalise("unit", text).code == code


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        normalise("weapon", "x")  # type: ignore[arg-type]


def test_fold_ignores_case_accents_punctuation_and_width() -> None:
    assert fold("  Côte d’Ivoire ") == fold("COTE DIVOIRE") == "cote divoire"
    assert fold("ＵＳＡ") == "usa"
