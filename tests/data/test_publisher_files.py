"""The shipped publisher files are byte-exact, all documented, and the stand-in is reproducible."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from tests.conftest import PUBLISHERS_DIR, REPO_ROOT
from tests.data.publishers.build_standins import build

DATA_FOLDERS = ("fred", "mof_jgb", "tic")


def _data_files() -> list[Path]:
    return sorted(p for d in DATA_FOLDERS for p in (PUBLISHERS_DIR / d).rglob("*") if p.is_file())


def test_every_file_has_the_bytes_listed_in_sha256sums() -> None:
    listed = {}
    for line in (PUBLISHERS_DIR / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    found = {str(p.relative_to(PUBLISHERS_DIR)): p for p in _data_files()}
    assert set(found) == set(listed), "SHA256SUMS and the files differ: update both together"
    changed = [n for n, p in found.items()
               if hashlib.sha256(p.read_bytes()).hexdigest() != listed[n]]
    assert not changed, f"not byte-exact (line endings or encoding converted?): {changed}"


def test_line_endings_and_encodings_are_the_publishers() -> None:
    jgb_ja = (PUBLISHERS_DIR / "mof_jgb" / "jgbcm_all.csv").read_bytes()
    assert b"\r\n" in jgb_ja and jgb_ja.count(b"\n") == jgb_ja.count(b"\r\n")
    jgb_ja.decode("cp932")
    assert not jgb_ja.isascii()  # still Shift_JIS, not transliterated
    dgs10 = (PUBLISHERS_DIR / "fred/fredgraph_csv_legacy_DATE_header/DGS10.csv").read_bytes()
    assert b"\r" not in dgs10


def test_git_never_converts_them() -> None:
    run = subprocess.run(
        ["git", "check-attr", "text", "--", "tests/data/publishers/mof_jgb/jgbcm_all.csv"],
        cwd=REPO_ROOT, capture_output=True, text=True,
    )
    if run.returncode != 0:  # not a git checkout (an sdist, an export): nothing to convert
        return
    assert run.stdout.strip().endswith("text: unset"), run.stdout


def test_sources_md_names_every_file_with_its_url_and_terms() -> None:
    sources = (PUBLISHERS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for path in _data_files():
        assert path.name in sources, f"{path.name} is not in SOURCES.md"
    for host in ("fred.stlouisfed.org", "api.stlouisfed.org", "www.mof.go.jp",
                 "ticdata.treasury.gov"):
        assert host in sources
    assert "CBBTCUSD" in sources and "not** shipped" in sources


def test_the_constructed_stand_in_is_what_its_script_builds() -> None:
    for path, body in build().items():
        assert path.read_bytes() == body, f"rerun {Path(__file__).parent}/build_standins.py"


def test_no_test_reads_outside_the_repository() -> None:
    conftest = (REPO_ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    assert "REFERENCE_DATA_DIR" not in conftest and "shared" not in conftest
    assert "skip" not in conftest
