"""Interrupted runs, two runs at once, a full disk: the next run always leaves a correct,
complete serving copy.

Issue 13: after a first `make demo` interrupted mid-run, later runs said "all already in
staging; not audited, nothing written", so 5 marts, the serving copy and the report were
never built; two refreshes started together on an empty folder left 2 of 9 marts and no
serving copy; after a disk-full publish failure, later runs skipped the serving copy for good.
Every run now rebuilds what is missing or out of date, judged from the warehouse itself.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.serving import publish
from tests.runs import scenario as s


def _home(tmp_path: Path) -> Path:
    """A DAGSTER_HOME as `make setup` makes it (one warehouse pool slot, one run at a time)."""
    home = tmp_path / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(s.ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


def assert_complete(assets_dir: Path, baseline: Path) -> None:
    """The state a clean D0 run leaves: every mart the baseline has, with as many rows (some
    mart columns depend on the clock, and snapshots on the publish), all of it served."""
    def rows(marts: dict[str, tuple[int, int]]) -> dict[str, int]:
        return {t: n for t, (n, _) in marts.items() if t != "marts.indicator_snapshots"}

    assert rows(s.warehouse_marts(assets_dir)) == rows(s.warehouse_marts(baseline))
    assert s.served_marts(assets_dir) == s.warehouse_marts(assets_dir)
    assert set(s.mart_builds(assets_dir)) == set(s.mart_builds(baseline))
    status = s.table_status(assets_dir)
    assert set(status) == set(s.table_status(baseline))
    assert not [t for t, row in status.items() if row["is_stale"]]
    assert (assets_dir / "serving" / "report.html").exists()
    assert 'data-stale="0"' in s.report_html(assets_dir)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl_c", "kill"])
def test_an_interrupted_first_run_is_followed_by_a_complete_state(
    sig: int, tmp_path: Path, baseline: Path, catalogue: Path, replica_at
) -> None:
    assets_dir = tmp_path / "assets"
    home = _home(tmp_path)
    rep = replica_at(s.D0)
    with s.environment(rep, assets_dir, catalogue, s.D0, DAGSTER_HOME=str(home)) as env:
        proc = s.spawn(env, tmp_path / "first.log")
        # Interrupt once FRED has landed a series and before the marts are built.
        s.wait_for_line(tmp_path / "first.log", " added, ", proc)
        s.stop(proc, sig)
    assert not s.serving_path(assets_dir).exists()

    # The next run, in the same instance: after a kill the dead run still claims the
    # warehouse pool slot there, and the next refresh must release it, not wait for ever.
    with s.environment(rep, assets_dir, catalogue, s.D0, DAGSTER_HOME=str(home)) as env:
        proc = s.spawn(env, tmp_path / "second.log")
        try:
            code = proc.wait(timeout=600)
        except subprocess.TimeoutExpired:
            s.stop(proc, signal.SIGKILL)
            tail = (tmp_path / "second.log").read_text(errors="replace")[-2000:]
            raise AssertionError(f"the run after the interruption never ended: {tail}") from None
    assert code == 0, (tmp_path / "second.log").read_text(errors="replace")[-3000:]
    assert_complete(assets_dir, baseline)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert not [r.run_id for r in runs if not r.is_finished]

    # And a third finds nothing to do.
    sha = s.file_sha(s.serving_path(assets_dir))
    third = s.refresh(rep, assets_dir, catalogue, s.D0)
    assert third.success
    assert s.file_sha(s.serving_path(assets_dir)) == sha


def test_two_runs_at_once_on_an_empty_folder_leave_a_complete_serving_copy(
    tmp_path: Path, baseline: Path, catalogue: Path, replica_at
) -> None:
    assets_dir = tmp_path / "assets"
    rep = replica_at(s.D0)
    procs: list[subprocess.Popen[bytes]] = []
    with s.environment(rep, assets_dir, catalogue, s.D0) as env:
        for i in range(2):
            # Separate instances (two `make demo`s in two checkouts of DAGSTER_HOME, or a
            # `dagster job execute` beside `make demo`): only the warehouse lock orders them.
            procs.append(s.spawn({**env, "DAGSTER_HOME": str(_home(tmp_path / f"h{i}"))},
                                 tmp_path / f"run{i}.log"))
        codes = [p.wait(timeout=900) for p in procs]
    logs = [(tmp_path / f"run{i}.log").read_text(errors="replace")[-2000:] for i in range(2)]
    assert codes == [0, 0], logs
    assert_complete(assets_dir, baseline)

    sha = s.file_sha(s.serving_path(assets_dir))
    third = s.refresh(rep, assets_dir, catalogue, s.D0)
    assert third.success
    assert s.file_sha(s.serving_path(assets_dir)) == sha


@pytest.fixture
def small_disk(assets_dir: Path):
    """assets/serving on its own tiny tmpfs (root only), holding the D0 copy; the fixture
    yields (fill, free): fill leaves ~100 KB free, free deletes the filler."""
    serving = assets_dir / "serving"
    kept = assets_dir.parent / "serving_d0"
    shutil.move(serving, kept)
    serving.mkdir()
    size = sum(p.stat().st_size for p in kept.rglob("*") if p.is_file())
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size * 3 + (4 << 20)}",
                              "tmpfs", str(serving)], capture_output=True).returncode == 0
    if not mounted:
        shutil.rmtree(serving)
        shutil.move(kept, serving)
        pytest.skip("cannot mount a tmpfs here (not root?): see the injected-failure test")
    filler = serving / "filler.bin"
    try:
        shutil.copytree(kept, serving, dirs_exist_ok=True)

        def fill() -> None:
            st = os.statvfs(serving)
            with filler.open("wb") as f:
                f.truncate(0)
                f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - 100_000))

        def free() -> None:
            filler.unlink(missing_ok=True)

        yield fill, free
    finally:
        time.sleep(0.2)
        subprocess.run(["umount", "-l", str(serving)], check=False)


def test_a_disk_full_publish_fails_the_run_and_the_next_run_after_freeing_space_publishes(
    assets_dir: Path, catalogue: Path, replica_at, small_disk
) -> None:
    fill, free = small_disk
    d0_sha = s.file_sha(s.serving_path(assets_dir))
    fill()
    rep = replica_at(s.D1)

    full = s.refresh(rep, assets_dir, catalogue, s.D1)

    assert not full.success
    assert "serving__analytics_duckdb" in [e.step_key for e in full.get_step_failure_events()]
    # Staging and marts moved on; the old copy is still there, whole, and not replaced.
    assert s.newest_common_date(assets_dir) > s.scalar(
        s.serving_path(assets_dir), "SELECT max(date) FROM marts.yield_spreads_daily")
    assert s.file_sha(s.serving_path(assets_dir)) == d0_sha
    assert not list((assets_dir / "serving").glob(".*tmp*"))

    free()
    again = s.refresh(rep, assets_dir, catalogue, s.D1)  # the publishers have nothing new

    assert again.success
    assert s.scalar(s.serving_path(assets_dir), "SELECT max(date) FROM marts.yield_spreads_daily"
                    ) == s.newest_common_date(assets_dir)
    assert s.served_marts(assets_dir) == s.warehouse_marts(assets_dir)
    assert not [t for t, row in s.table_status(assets_dir).items() if row["is_stale"]]
    assert 'data-stale="0"' in s.report_html(assets_dir)


def test_a_publish_that_fails_after_the_swap_is_completed_by_the_next_run(
    assets_dir: Path, catalogue: Path, replica_at, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy was swapped in but the disk filled up writing the Parquet files: the next
    run sees the Parquet set is not the copy's and publishes again. (Also the disk-full case
    where no tmpfs can be mounted: the failure is injected at the same place.)"""
    rep = replica_at(s.D1)
    real = publish._write_parquet

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish, "_write_parquet", disk_full)
    failed = s.refresh(rep, assets_dir, catalogue, s.D1)
    assert not failed.success
    assert "serving__analytics_duckdb" in [e.step_key for e in failed.get_step_failure_events()]

    monkeypatch.setattr(publish, "_write_parquet", real)
    again = s.refresh(rep, assets_dir, catalogue, s.D1)
    assert again.success
    meta = {e.asset_key.to_user_string(): e.materialization.metadata
            for e in again.get_asset_materialization_events()}
    assert meta["serving/analytics_duckdb"]["published"].value is True
    parquet = assets_dir / "serving" / "parquet"
    assert (assets_dir / "serving" / publish.PARQUET_MARKER).read_text() == s.scalar(
        s.serving_path(assets_dir), "SELECT fingerprint FROM meta.publication")
    with duckdb.connect() as con:
        newest = con.execute("SELECT max(date) FROM read_parquet(?)",
                             [str(parquet / "yield_spreads_daily.parquet")]).fetchall()[0][0]
    assert newest == s.newest_common_date(assets_dir)
