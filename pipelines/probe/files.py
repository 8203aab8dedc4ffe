"""The publisher files the probe asks for: each URL, the parser the pipeline uses on it, and how
to tell its header rows from its data rows when showing what the file looks like."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from pipelines.lib.settings import Settings
from pipelines.sources.fred.catalogue import load_catalogue
from pipelines.sources.fred.parse import parse_fredgraph_csv, parse_observations_json
from pipelines.sources.fred.urls import fredgraph_request, observations_request
from pipelines.sources.mof import urls as mof_urls
from pipelines.sources.mof.flows_parse import (
    parse_flows_by_investor,
    parse_flows_monthly,
    parse_flows_weekly,
)
from pipelines.sources.mof.jgb_parse import parse_jgb_csv
from pipelines.sources.tic import urls as tic_urls
from pipelines.sources.tic.parse import parse_mfh_history, parse_slt_table5

# A line whose first cell starts like a date (ISO, 1974/9/24, era S49.9.24, 2026．9．6～,
# 2026年9月) or a month row of the MOF monthly files: where a file's data rows start.
_DATA_LINE = re.compile(
    r'^"?(?:\d{4}[-/.．年]\d{1,2}|[SHR]\d{1,2}\.\d{1,2}\.|[明大昭平令]\S*\d+\.|\d{4},|,[０-９\d]{1,2}月)'
)
_TIC_HEADER = re.compile(r"^\s*\"?country\b", re.I)
_TIC_ROW = re.compile(r"^[^\t]*[A-Za-z][^\t]*\t+[-\d.*]")  # a label, then a value


@dataclass(frozen=True)
class ProbeFile:
    """One request and how to read its answer."""

    source: str  # fred | mof | tic: the landing-zone folder and rate-limit key
    name: str
    url: str
    parse: Callable[[bytes], pl.DataFrame]
    expect: str = "csv"
    params: dict[str, str] = field(default_factory=dict)
    date_column: str = "date"
    json: bool = False

    def is_data_line(self, line: str) -> bool:
        if self.source == "tic":
            return bool(_TIC_ROW.match(line))
        return bool(_DATA_LINE.match(line.strip()))

    def header_lines(self, text: str, limit: int = 14) -> list[str]:
        """The lines above the first data row (TIC: down to the `Country` row)."""
        lines = text.splitlines()
        out: list[str] = []
        for line in lines[:60]:
            if self.source == "tic":
                out.append(line)
                if _TIC_HEADER.match(line):
                    break
            elif _DATA_LINE.match(line.strip()):
                break
            else:
                out.append(line)
        return out[:limit]


def _fred_csv(series_id: str) -> Callable[[bytes], pl.DataFrame]:
    return lambda body: parse_fredgraph_csv(body, series_id)


def _fred_json(body: bytes) -> pl.DataFrame:
    return parse_observations_json(body).frame


def _tic_history(body: bytes) -> pl.DataFrame:
    return parse_mfh_history(body).holdings


def _tic_table5(body: bytes) -> pl.DataFrame:
    return parse_slt_table5(body).holdings


def fred_files(settings: Settings) -> list[ProbeFile]:
    """Every catalogue series once: keyless CSV, or the API when FRED_API_KEY is set."""
    files = []
    for spec in load_catalogue():
        if settings.fred_api_key:
            url, params = observations_request(settings.fred_api_url, spec.id,
                                               settings.fred_api_key,
                                               observation_start=spec.start)
            files.append(ProbeFile("fred", f"FRED API {spec.id}", url, _fred_json, "json",
                                   params, json=True))
        else:
            url, params = fredgraph_request(settings.fred_graph_url, spec.id, spec.start)
            files.append(ProbeFile("fred", f"fredgraph.csv {spec.id}", url,
                                   _fred_csv(spec.id), "csv", params))
    return files


MOF_PARSERS: dict[str, tuple[Callable[[bytes], pl.DataFrame], str]] = {
    "jgbcme_all": (parse_jgb_csv, "date"),
    "jgbcme": (parse_jgb_csv, "date"),
    "jgbcm_all": (parse_jgb_csv, "date"),
    "jgbcm": (parse_jgb_csv, "date"),
    "week": (parse_flows_weekly, "week_start"),
    "montha1": (parse_flows_monthly, "month"),
    "monthb3": (parse_flows_by_investor, "month"),
}


def mof_files(settings: Settings) -> list[ProbeFile]:
    return [
        ProbeFile("mof", f.filename, mof_urls.url(settings.mof_url, f),
                  MOF_PARSERS[f.key][0], date_column=MOF_PARSERS[f.key][1])
        for f in mof_urls.ALL_FILES
    ]


def tic_files(settings: Settings) -> list[ProbeFile]:
    return [
        ProbeFile("tic", "mfhhis01.txt", tic_urls.mfh_history_url(settings.tic_url),
                  _tic_history, "text", date_column="month"),
        ProbeFile("tic", "slt_table5.txt", tic_urls.slt_table5_url(settings.tic_url),
                  _tic_table5, "text", date_column="month"),
    ]


def all_files(settings: Settings) -> list[ProbeFile]:
    return fred_files(settings) + mof_files(settings) + tic_files(settings)


def dates_of(frame: pl.DataFrame, column: str) -> tuple[date | None, date | None, int]:
    """First and last date, and how many distinct dates, of a parsed frame."""
    if frame.is_empty() or column not in frame.columns:
        return None, None, 0
    values = frame[column]
    return values.min(), values.max(), values.n_unique()  # type: ignore[return-value]
