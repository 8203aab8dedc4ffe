"""The investor-type triplets of `monthb3.csv`: found by their labels in the header."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pipelines.lib.errors import ParseError
from pipelines.sources.excerpt import with_header
from pipelines.sources.mof.flows_columns import (
    _LABEL_SEARCH_ROWS,
    _METRIC_WORDS,
    _NET_WORDS,
    ALL_INVESTORS_LABEL,
    INVESTOR_TYPES,
    Row,
)
from pipelines.sources.mof.flows_read import (
    _cell,
    _label_matches,
    _squash,
)

# ---------------------------------------------------------------------------------------------
# Investor triplets (monthb3)


def _investor_triplets(header: list[Row]) -> list[tuple[int, str, str]]:
    """(first column, code, label) of each investor triplet, found by label in the header.

    The label row is the one holding 各部門計 within the first rows; every label cell in it
    from column 3 on starts a triplet, and the acquisition/disposition/net row below must
    confirm all three columns of each.
    """
    label_index = next(
        (
            index
            for index, (_, row) in enumerate(header[:_LABEL_SEARCH_ROWS])
            if any(_label_key(c) == _label_key(ALL_INVESTORS_LABEL) for c in row)
        ),
        None,
    )
    if label_index is None:
        raise ParseError(with_header(
            f"investor label {ALL_INVESTORS_LABEL!r} (all investors) not found in the first "
            f"{_LABEL_SEARCH_ROWS} header rows", header))
    line, row = header[label_index]
    labels = [
        (column, " ".join(cell.split()))
        for column, cell in enumerate(row)
        if column >= 3 and cell.strip() and "単位" not in _squash(cell)
    ]
    triplets: list[tuple[int, str, str]] = []
    codes: dict[str, int] = {}
    for (column, label), following in zip(labels, labels[1:] + [(None, "")], strict=True):
        if following[0] is not None and following[0] - column < 3:
            raise ParseError(
                f"investor {label!r} at column {column + 1} has {following[0] - column} "
                f"column(s) before {following[1]!r}; a triplet needs 3",
                line=line,
            )
        code = _investor_code(label)
        if code in codes:
            raise ParseError(
                f"investor {label!r} appears twice (columns {codes[code] + 1}, {column + 1})",
                line=line,
            )
        codes[code] = column
        triplets.append((column, code, label))
    try:
        _check_triplet_metrics(header[label_index + 1 :], triplets, line)
    except ParseError as exc:
        raise ParseError(with_header(exc.what, header), line=exc.line) from None
    return triplets


def _check_triplet_metrics(
    below: list[Row], triplets: list[tuple[int, str, str]], label_line: int
) -> None:
    first = triplets[0][0]
    metric_row = next(
        (
            (ln, r)
            for ln, r in below
            if _label_matches(_cell(r, first), _METRIC_WORDS["acquisition"])
        ),
        None,
    )
    if metric_row is None:
        raise ParseError(
            "acquisition/disposition/net row (取得/処分/ネット) not found below the investor "
            "labels",
            line=label_line,
        )
    line, row = metric_row
    words = (_METRIC_WORDS["acquisition"], _METRIC_WORDS["disposition"], _NET_WORDS)
    for column, _, label in triplets:
        for offset, expected in enumerate(words):
            if not _label_matches(_cell(row, column + offset), expected):
                raise ParseError(
                    f"investor {label!r}: column {column + offset + 1} reads "
                    f"{_cell(row, column + offset).strip()!r}, expected {expected[0]!r}; the "
                    "triplet is malformed",
                    line=line,
                )


def _label_key(label: str) -> str:
    """Compare labels on their Japanese part: NFKC, no spaces, any trailing English dropped."""
    squashed = _squash(label)
    match = re.match(r"^(.*[^\x00-\x7f])", squashed)
    return match.group(1) if match else squashed


_INVESTOR_KEYS = {_label_key(label): code for label, code in INVESTOR_TYPES.items()}


def _investor_code(label: str) -> str:
    """The stable code for a label; unknown labels get `unmapped_<slug>`, stable per label."""
    known = _INVESTOR_KEYS.get(_label_key(label))
    if known is not None:
        return known
    ascii_words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", label).lower())
    slug = "_".join(ascii_words) or hashlib.sha1(_label_key(label).encode()).hexdigest()[:8]
    return f"unmapped_{slug}"
