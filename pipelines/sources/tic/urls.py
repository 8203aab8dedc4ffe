"""Where the TIC files live, and the frozen legacy files we must never read.

Paths are Treasury's own; only the scheme+host is configurable (`TIC_URL`), so the local
replica serves the same paths. Several old flat files are still served but stopped at
Jan-2023 data; reading one would silently freeze the holdings, hence the guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Final
from urllib.parse import urlsplit

from pipelines.lib import settings

DEFAULT_TIC_URL: Final = "https://ticdata.treasury.gov"
TIC_URL_ENV: Final = "TIC_URL"

DOCUMENTS_DIR: Final = "/resource-center/data-chart-center/tic/Documents"
SLT_TABLE5_PATH: Final = f"{DOCUMENTS_DIR}/slt_table5.txt"
MFH_HISTORY_PATH: Final = f"{DOCUMENTS_DIR}/mfhhis01.txt"

# Frozen at Jan-2023 data after Form S was replaced by Form SLT (FORMATS.md §3.2, §3.4).
LEGACY_PATHS: Final = frozenset(
    {
        "/Publish/mfh.txt",
        f"{DOCUMENTS_DIR}/mfh.txt",
        "/Publish/slt1d_globl.csv",
        "/Publish/s1_globl.csv",
        "/Publish/snetus.csv",
        "/Publish/snetus.txt",
        "/Publish/tressect.txt",
    }
)
# Matched by file name too: the same frozen file is mirrored under more than one folder.
LEGACY_FILE_NAMES: Final = frozenset(PurePosixPath(p).name.casefold() for p in LEGACY_PATHS)


def tic_base_url(environ: Mapping[str, str] | None = None) -> str:
    """The scheme+host to fetch from: `TIC_URL` if set (in `environ`, default this process's
    environment), else Treasury's own host."""
    value = settings.env_value(TIC_URL_ENV) if environ is None else environ.get(TIC_URL_ENV)
    base = (value or DEFAULT_TIC_URL).rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{TIC_URL_ENV}={base!r} is not an http(s) scheme+host")
    return base


def slt_table5_url(base: str | None = None) -> str:
    """URL of Table 5, Major Foreign Holders (current ~13 months)."""
    return (base or tic_base_url()).rstrip("/") + SLT_TABLE5_PATH


def mfh_history_url(base: str | None = None) -> str:
    """URL of the Major Foreign Holders history (Mar-2000 onwards, yearly blocks)."""
    return (base or tic_base_url()).rstrip("/") + MFH_HISTORY_PATH


def assert_not_legacy(url: str) -> None:
    """Refuse a frozen legacy TIC file, whatever host or folder it is served from."""
    path = urlsplit(url).path
    legacy = {p.casefold() for p in LEGACY_PATHS}
    if path.casefold() in legacy or PurePosixPath(path).name.casefold() in LEGACY_FILE_NAMES:
        raise ValueError(
            f"{url} is a legacy TIC file frozen at Jan-2023 data; use {SLT_TABLE5_PATH} "
            f"or {MFH_HISTORY_PATH} instead"
        )
