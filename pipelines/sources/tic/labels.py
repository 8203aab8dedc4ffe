"""TIC holder labels: clean them and give each holder one stable code.

The two TIC files spell the same aggregate differently (`For. Official` in the history,
`Of Which: Foreign Official` in Table 5) and decorate labels with footnote markers and stray
spaces (`United Kingdom 2/`, `Belgium  5/`, `"Korea, South "`). Staging joins vintages and
files on `holder_code`, so every spelling of one holder must map to one code, and the
foreign-official memo lines must never be mistaken for countries (they overlap them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

HolderType = Literal["country", "regional_group", "total", "memo"]

COUNTRY: Final = "country"
REGIONAL_GROUP: Final = "regional_group"
TOTAL: Final = "total"
MEMO: Final = "memo"

_FOOTNOTE = re.compile(r"\s*\d+/$")
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Holder:
    """One holder line: stable code, kind, and the label staging stores as `country`."""

    holder_code: str
    holder_type: HolderType
    label: str


# Aggregates: casefolded normalised label -> (code, type, canonical label). Whole labels only:
# the three Table 5 `Of Which:` labels share a prefix, so prefix matching would confuse them.
_AGGREGATES: Final[dict[str, tuple[str, HolderType, str]]] = {
    "all other": ("all_other", TOTAL, "All Other"),
    "grand total": ("grand_total", TOTAL, "Grand Total"),
    "oil exporters": ("oil_exporters", REGIONAL_GROUP, "Oil Exporters"),
    "carib bnkng ctrs": ("carib_banking_centers", REGIONAL_GROUP, "Carib Bnkng Ctrs"),
    "caribbean banking centers": ("carib_banking_centers", REGIONAL_GROUP, "Carib Bnkng Ctrs"),
    "of which: foreign official": ("foreign_official", MEMO, "Foreign Official"),
    "of which: foreign official treasury bills": (
        "foreign_official_bills",
        MEMO,
        "Foreign Official Treasury Bills",
    ),
    "of which: foreign official t-bonds & notes": (
        "foreign_official_bonds_notes",
        MEMO,
        "Foreign Official T-Bonds & Notes",
    ),
}

# The history's short memo labels. They mean foreign-official lines only below `Of which:`;
# elsewhere `Treasury Bills` would be nonsense as a country, so we refuse it.
_SHORT_MEMO: Final[dict[str, str]] = {
    "for. official": "of which: foreign official",
    "treasury bills": "of which: foreign official treasury bills",
    "t-bonds & notes": "of which: foreign official t-bonds & notes",
}


def normalise_label(raw: str) -> str:
    """Strip quotes, padding and trailing footnote markers (`2/`), collapse inner spaces."""
    label = raw.strip().strip('"').strip()
    while True:
        stripped = _FOOTNOTE.sub("", label)
        if stripped == label:
            break
        label = stripped
    return _SPACES.sub(" ", label).strip()


def is_of_which(raw: str) -> bool:
    """True for the history's `Of which:` line that opens the foreign-official memo section."""
    return normalise_label(raw).casefold().rstrip(":").strip() == "of which"


def slug(label: str) -> str:
    """A stable snake_case code for a country label: `China, Mainland` -> `china_mainland`."""
    code = _NOT_ALNUM.sub("_", normalise_label(label).casefold()).strip("_")
    if not code:
        raise ValueError(f"label {label!r} has no letters or digits to make a code from")
    return code


def classify(raw: str, *, in_memo_section: bool = False) -> Holder:
    """Say which holder a label names.

    `in_memo_section` is true for lines below the history's `Of which:` line: there only the
    three foreign-official lines are allowed, and outside it their short labels are refused.
    Raises ValueError for a label that cannot be placed, so the parser can name the line.
    """
    label = normalise_label(raw)
    key = label.casefold()
    if in_memo_section:
        key = _SHORT_MEMO.get(key, key)
        found = _AGGREGATES.get(key)
        if found is None or found[1] != MEMO:
            raise ValueError(
                f"label {raw!r} below 'Of which:' is not one of the foreign-official "
                "lines (For. Official, Treasury Bills, T-Bonds & Notes)"
            )
    elif key in _SHORT_MEMO:
        raise ValueError(
            f"label {raw!r} is a foreign-official memo line but does not follow 'Of which:'"
        )
    else:
        found = _AGGREGATES.get(key)
        if found is None and key.startswith("of which"):
            raise ValueError(
                f"label {raw!r} starts like a foreign-official memo line but is not one of the "
                "three known ones; it must not be read as a country"
            )
    if found is not None:
        code, holder_type, canonical = found
        return Holder(code, holder_type, canonical)
    return Holder(slug(label), COUNTRY, label)
