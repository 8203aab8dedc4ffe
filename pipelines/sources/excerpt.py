"""Abridged header rows for a parser's refusal, so an operator sees what the file looks like.

"asset class header row not found" alone says what the parser wanted; the rows it found say
what the publisher sent. Cells are squeezed and cut, rows and cells counted, so the excerpt
stays short enough for a log line and `raw.fetch_log.problem`.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_ROWS = 12
MAX_CELLS = 10
MAX_CELL_CHARS = 16


def _cell(text: str) -> str:
    squeezed = " ".join(text.split())
    return squeezed if len(squeezed) <= MAX_CELL_CHARS else squeezed[: MAX_CELL_CHARS - 1] + "…"


def format_row(cells: Sequence[str]) -> str:
    """`a | b | … (+7 more)`: non-empty cells, each cut to MAX_CELL_CHARS, with its column."""
    shown = [(i, _cell(c)) for i, c in enumerate(cells) if c.strip()]
    text = " | ".join(f"{i + 1}:{c}" for i, c in shown[:MAX_CELLS])
    if len(shown) > MAX_CELLS:
        text += f" | … (+{len(shown) - MAX_CELLS} more)"
    return text or "(blank)"


def header_excerpt(rows: Sequence[tuple[int, Sequence[str]]]) -> str:
    """One indented line per non-blank row, `line N: 1:cell | 2:cell …`, at most MAX_ROWS."""
    filled = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]
    if not filled:
        return "\n  (no non-blank rows before the first data row)"
    out = [f"\n  line {line}: {format_row(cells)}" for line, cells in filled[:MAX_ROWS]]
    if len(filled) > MAX_ROWS:
        out.append(f"\n  … {len(filled) - MAX_ROWS} more row(s)")
    return "".join(out)


def with_header(what: str, rows: Sequence[tuple[int, Sequence[str]]]) -> str:
    """`what`, then the header rows found (abridged)."""
    return f"{what}; header rows found (abridged, column:cell):{header_excerpt(rows)}"
