"""Local damage ends in one line that names the file and says what to do (issue 14.6)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.errors import LandingZoneError, WarehouseError
from pipelines.lib.raw_store import RawStore
from pipelines.lib.warehouse import Warehouse, WarehouseBusy

UNWRITABLE = Path("/sys/jgb-ust-flows-test")  # sysfs refuses new files, even to root


def make_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT range AS x FROM range(100000)")
    con.close()


def test_a_program_holding_the_file_gets_one_line_naming_it_after_a_bounded_wait(
    tmp_path: Path,
) -> None:
    path = tmp_path / "warehouse.duckdb"
    make_warehouse(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r});"
         " print('open', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseBusy) as err, Warehouse(path, open_timeout_s=1.0).connect():
            pass
    finally:
        holder.kill()
        holder.wait()
    message = str(err.value)
    assert "\n" not in message and f"PID {holder.pid}" in message
    assert "Readers belong on the serving copy" in message and "waited 1 s" in message
    with Warehouse(path).connect() as con:  # and once it is closed, all is well
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(100000,)]


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_warehouse_gives_one_line_and_the_restore_command(
    tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "warehouse.duckdb"
    make_warehouse(path)
    if damage == "truncated":
        with open(path, "r+b") as fh:
            fh.truncate(5000)
    else:
        path.write_bytes(b"not a database" * 1000)
    with pytest.raises(WarehouseError) as err, Warehouse(path).connect():
        pass
    message = str(err.value)
    assert "\n" not in message and f"warehouse {path} is damaged" in message
    assert f"mv {path} {path}.damaged && REPLAY=1 make run" in message


def test_a_missing_raw_file_names_the_source_and_the_file(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    sha, path = store.put("mof", b"Date,1Y\n")
    path.unlink()
    with pytest.raises(LandingZoneError) as err:
        store.get("mof", sha)
    message = str(err.value)
    assert "\n" not in message and message.startswith("mof: raw file ")
    assert str(path) in message and "restore assets/raw/" in message


def test_an_unwritable_landing_zone_gives_one_line_and_leaves_nothing_half_written(
    tmp_path: Path,
) -> None:
    with pytest.raises(WarehouseError) as err:
        RawStore(UNWRITABLE).put("mof", b"x")
    assert "\n" not in str(err.value) and f"cannot write under {UNWRITABLE}" in str(err.value)
    with pytest.raises(WarehouseError, match="cannot write under"), \
            Warehouse(UNWRITABLE / "warehouse.duckdb").connect():
        pass
    store = RawStore(tmp_path / "raw")  # the next run, with space, starts clean
    sha, path = store.put("mof", b"x")
    assert path.read_bytes() == b"x" and not list(path.parent.glob(".*.tmp"))
