"""`make probe`: fetch each publisher file once from the real sites and say what the parsers make
of it, before the schedules are turned on.

Hosts come from the usual variables (FRED_GRAPH_URL, FRED_API_URL, MOF_URL, TIC_URL; FRED_API_KEY
switches FRED to the API). Every body is kept in the raw landing zone (`ASSETS_DIR/raw/`) before
it is parsed, so a refused file can be opened byte for byte. Nothing is written to the warehouse.
Exit status 0 only if every file was fetched and every parser accepted it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import polars as pl

from pipelines.lib.errors import PipelineError
from pipelines.lib.http import HttpClient
from pipelines.lib.http_response import ResponseRecord
from pipelines.lib.ratelimit import RateLimit
from pipelines.lib.raw_store import RawStore
from pipelines.lib.settings import Settings
from pipelines.probe.files import ProbeFile, all_files, dates_of
from pipelines.sources.excerpt import MAX_CELL_CHARS

LINE_CHARS = 110
_LABEL = 11


@dataclass
class Outcome:
    file: ProbeFile
    ok: bool
    lines: list[tuple[str, str]]  # (label, text) in print order


def encoding_of(body: bytes) -> str:
    """ASCII, UTF-8 (with or without BOM) or Shift_JIS (cp932), and the line endings."""
    if body.isascii():
        name = "ASCII"
    elif body.startswith(b"\xef\xbb\xbf"):
        name = "UTF-8 with BOM"
    else:
        name = "unknown (not ASCII, UTF-8 or cp932)"
        for codec, label in (("utf-8", "UTF-8"), ("cp932", "Shift_JIS (cp932)")):
            try:
                body.decode(codec)
            except UnicodeDecodeError:
                continue
            name = label
            break
    crlf, lf = body.count(b"\r\n"), body.count(b"\n")
    endings = "no line breaks" if not lf else "CRLF" if crlf == lf else \
        "LF" if not crlf else f"mixed ({crlf} CRLF, {lf - crlf} LF)"
    return f"{name}, {endings}"


def _text(body: bytes) -> str:
    for codec in ("utf-8-sig", "cp932"):
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")


def _cut(text: str, width: int = LINE_CHARS) -> str:
    text = re.sub(r"[\t ]+", lambda m: "⇥" if "\t" in m.group() else " ",
                  text.rstrip(" \t,\r"))
    return text if len(text) <= width else text[: width - 1] + "…"


def _data_lines(file: ProbeFile, text: str, header: list[str]) -> list[tuple[int, str]]:
    """(line number, line) of the data rows below the header (notes and trailers left out)."""
    lines = text.splitlines()
    return [(i + 1, ln) for i, ln in enumerate(lines)
            if i >= len(header) and file.is_data_line(ln)]


def _row(frame: pl.DataFrame, index: int) -> str:
    row = frame.row(index, named=True)
    cells = [f"{k}={v}" for k, v in row.items() if v is not None]
    shown = ", ".join(c if len(c) <= 3 * MAX_CELL_CHARS else c[: 3 * MAX_CELL_CHARS] + "…"
                      for c in cells)
    return _cut(shown)


def probe_file(file: ProbeFile, client: HttpClient, landed: dict[str, Path]) -> Outcome:
    lines: list[tuple[str, str]] = []
    try:
        result = client.get(file.source, file.url, params=file.params or None,
                            expect=file.expect)
    except PipelineError as exc:
        lines.append(("verdict", f"FETCH FAILED: {exc}"))
        return Outcome(file, False, lines)
    body = result.body or b""
    lines.append(("status", f"{result.status} ({result.content_type or 'no content type'}),"
                            f" {len(body):,} bytes, {result.attempts} attempt(s)"))
    lines.append(("encoding", encoding_of(body)))
    raw = landed.get(result.url)
    if raw is not None:
        lines.append(("raw body", str(raw)))
    text = _text(body)
    if file.json:
        header = [text[:200]]
        lines.append(("header", _cut(header[0])))
    else:
        header = file.header_lines(text)
        for i, line in enumerate(header or ["(none: the first line is data)"]):
            lines.append(("header" if i == 0 else "", f"{i + 1}: {_cut(line)}"))
        data = _data_lines(file, text, header)
        if data:
            lines.append(("first row", f"{data[0][0]}: {_cut(data[0][1])}"))
            lines.append(("last row", f"{data[-1][0]}: {_cut(data[-1][1])}"))
    try:
        frame = file.parse(body)
    except (PipelineError, ValueError) as exc:
        message = str(exc).splitlines()
        lines.append(("verdict", f"REFUSED: {message[0]}"))
        lines.extend(("", _cut(m.strip(), LINE_CHARS + 20)) for m in message[1:])
        return Outcome(file, False, lines)
    first, last, dates = dates_of(frame, file.date_column)
    lines.append(("rows", f"{frame.height:,} parsed rows, {dates:,} distinct"
                          f" {file.date_column}s, {first} .. {last}"))
    if frame.height:
        ordered = frame.sort(file.date_column) if file.date_column in frame.columns else frame
        lines.append(("parsed", f"first: {_row(ordered, 0)}"))
        lines.append(("", f"last:  {_row(ordered, -1)}"))
    lines.append(("verdict", "OK" if frame.height else "OK, but no data rows"))
    return Outcome(file, True, lines)


def print_outcome(outcome: Outcome, out: TextIO) -> None:
    f = outcome.file
    shown_url = f.url + ("?" + "&".join(f"{k}={'REDACTED' if k == 'api_key' else v}"
                                        for k, v in f.params.items()) if f.params else "")
    out.write(f"\n== {f.source} {f.name}\n{'url':<{_LABEL}}{shown_url}\n")
    for label, text in outcome.lines:
        out.write(f"{label:<{_LABEL}}{text}\n")


def run(settings: Settings, out: TextIO, *, only: str | None = None) -> int:
    store = RawStore(settings.raw_dir)
    landed: dict[str, Path] = {}

    def keep(rec: ResponseRecord) -> None:
        _, path = store.put(rec.source, rec.body)
        landed[rec.url] = path

    client = HttpClient(max_attempts=2, backoff_base_s=1.0, rate_limited_wait_s=60.0,
                        rate_limits={"fred": RateLimit(2.0, 100)}, on_response=keep)
    files = [f for f in all_files(settings) if not only or only.casefold() in
             f"{f.source} {f.name}".casefold()]
    out.write(f"probing {len(files)} file(s); raw bodies kept under {settings.raw_dir}\n")
    outcomes = []
    for file in files:
        outcome = probe_file(file, client, landed)
        print_outcome(outcome, out)
        out.flush()
        outcomes.append(outcome)
    bad = [o for o in outcomes if not o.ok]
    out.write(f"\n{len(outcomes) - len(bad)} of {len(outcomes)} file(s) fetched and parsed")
    out.write("" if not bad else "; parser or fetch disagrees on: "
              + ", ".join(f"{o.file.source} {o.file.name}" for o in bad))
    out.write("\n")
    return 1 if bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--only", help="probe only files whose 'source name' contains this")
    args = parser.parse_args(argv)
    return run(Settings.from_env(), sys.stdout, only=args.only)
