"""TIC label normalisation and holder classification: one code per holder, whatever the file."""

from __future__ import annotations

import pytest

from pipelines.sources.tic.labels import (
    Holder,
    HolderType,
    classify,
    is_of_which,
    normalise_label,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("United Kingdom 2/", "United Kingdom"),
        ("Belgium  5/", "Belgium"),
        ('"Korea, South "', "Korea, South"),
        ("Korea, South ", "Korea, South"),
        ("  For. Official", "For. Official"),
        ("    T-Bonds & Notes", "T-Bonds & Notes"),
        ("Oil Exporters 3/", "Oil Exporters"),
        ("Carib Bnkng Ctrs 4/", "Carib Bnkng Ctrs"),
        ("Belgium-Luxembourg ", "Belgium-Luxembourg"),
        ("Spain ", "Spain"),
        ("Hong   Kong", "Hong Kong"),
        ("United Kingdom 2/ 17/", "United Kingdom"),
        ("China, Mainland", "China, Mainland"),
    ],
)
def test_normalise_label(raw: str, expected: str) -> None:
    assert normalise_label(raw) == expected


@pytest.mark.parametrize(
    ("raw", "in_memo", "code", "holder_type", "label"),
    [
        ("All Other", False, "all_other", "total", "All Other"),
        ("Grand Total", False, "grand_total", "total", "Grand Total"),
        ("Oil Exporters 3/", False, "oil_exporters", "regional_group", "Oil Exporters"),
        ("Carib Bnkng Ctrs 4/", False, "carib_banking_centers", "regional_group",
         "Carib Bnkng Ctrs"),
        # the history's short memo labels, below `Of which:`
        ("  For. Official", True, "foreign_official", "memo", "Foreign Official"),
        ("    Treasury Bills", True, "foreign_official_bills", "memo",
         "Foreign Official Treasury Bills"),
        ("    T-Bonds & Notes", True, "foreign_official_bonds_notes", "memo",
         "Foreign Official T-Bonds & Notes"),
        # Table 5's long labels, which share a prefix and must each match whole
        ("Of Which: Foreign Official", False, "foreign_official", "memo", "Foreign Official"),
        ("Of Which: Foreign Official Treasury Bills", False, "foreign_official_bills", "memo",
         "Foreign Official Treasury Bills"),
        ("Of Which: Foreign Official T-Bonds & Notes", False, "foreign_official_bonds_notes",
         "memo", "Foreign Official T-Bonds & Notes"),
        # countries
        ("Japan", False, "japan", "country", "Japan"),
        ("China, Mainland", False, "china_mainland", "country", "China, Mainland"),
        ('"Korea, South "', False, "korea_south", "country", "Korea, South"),
        ("United Kingdom 2/", False, "united_kingdom", "country", "United Kingdom"),
        ("Belgium  5/", False, "belgium", "country", "Belgium"),
        ("Belgium-Luxembourg ", False, "belgium_luxembourg", "country", "Belgium-Luxembourg"),
        ("Cayman Islands", False, "cayman_islands", "country", "Cayman Islands"),
    ],
)  # fmt: skip
def test_classify(raw: str, in_memo: bool, code: str, holder_type: HolderType, label: str) -> None:
    assert classify(raw, in_memo_section=in_memo) == Holder(code, holder_type, label)


def test_every_spelling_of_an_aggregate_has_one_code() -> None:
    history = classify("  For. Official", in_memo_section=True)
    table5 = classify("Of Which: Foreign Official")
    assert history == table5


@pytest.mark.parametrize("raw", ["For. Official", "Treasury Bills", "  T-Bonds & Notes"])
def test_short_memo_label_outside_of_which_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="does not follow 'Of which:'"):
        classify(raw)


@pytest.mark.parametrize("raw", ["Japan", "Grand Total", "All Other"])
def test_non_memo_label_below_of_which_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="below 'Of which:'"):
        classify(raw, in_memo_section=True)


@pytest.mark.parametrize(
    "raw", ["Of Which: Foreign Official Treasury", "Of Which: Foreign Official Bills and Notes"]
)
def test_unknown_of_which_label_is_not_taken_for_a_country(raw: str) -> None:
    with pytest.raises(ValueError, match="must not be read as a country"):
        classify(raw)


def test_of_which_line() -> None:
    assert is_of_which("Of which:")
    assert is_of_which(" Of which: ")
    assert not is_of_which("Of Which: Foreign Official")
