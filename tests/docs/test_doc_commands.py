"""Every command in README.md and docs/ works exactly as written after `make demo`.

The commands are read from the documents themselves (fenced bash, sql and python blocks), so
the docs cannot drift from the code again. They run in one clone of this working tree (the
tracked and new files, as a user's clone has them), where `make demo` has been run once per
session: a fresh `.venv`, the demo's `assets/`, nothing from the developer's own folders.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# docs/ first: operations.md replays after dropping staging, the stronger case of the README's
# `make replay`, which then need not run a second time (a command that worked is run once).
DOCS = [*sorted((REPO_ROOT / "docs").glob("*.md")), REPO_ROOT / "README.md"]
SHELL = {"bash", "sh", "shell", "console"}
# Commands the test does not run, and why; each must still be a target `make -n` accepts.
NOT_RUN = {
    "make demo": "the fixture runs exactly this command to build the folder the others read",
    "make test": "this is the test suite itself",
    "make run": "needs the real publishers (make demo is the same against the replica)",
    "make probe": "needs the real publishers; tests/probe runs it against the replica",
    "make dev": "a server that runs until stopped",
    "make replica": "a server that runs until stopped",
    "make serve": "three servers that run until stopped; tests/deploy starts them on PostgreSQL",
    "make bench": "the benchmark harness, minutes long; tests/test_benchmarks_smoke.py",
}
# Variables of the developer's shell that would point a clone elsewhere (and the suite's
# bytecode cache, tests/conftest.py: a clone's new paths would only add dead entries to it).
SCRUBBED = ("ASSETS_DIR", "DAGSTER_HOME", "REPLAY", "FRED_API_KEY", "FRED_GRAPH_URL",
            "FRED_API_URL", "MOF_URL", "TIC_URL", "AS_OF_DATE", "ALERT_WEBHOOK_URL",
            "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPYCACHEPREFIX")


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    lang: str
    text: str

    def commands(self) -> list[str]:
        """Shell lines, continuations joined; comments and blank lines dropped."""
        out: list[str] = []
        pending = ""
        for raw in self.text.splitlines():
            line = pending + raw.strip()
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            pending = ""
            line = re.sub(r"\s+#\s.*$", "", line)  # a trailing comment says what it does
            if line and not line.startswith("#"):
                out.append(line)
        return out


def blocks(path: Path) -> list[Block]:
    found, lang, start, body = [], None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = re.match(r"^```(\w*)\s*$", line)
        if fence and lang is None:
            lang, start, body = fence.group(1) or "text", number, []
        elif line.startswith("```") and lang is not None:
            found.append(Block(path.name, start, lang, "\n".join(body)))
            lang = None
        elif lang is not None:
            body.append(line)
    return found


def table_make_commands(path: Path) -> set[str]:
    """`make x` written inline (tables, prose): checked to be real targets, not run."""
    return set(re.findall(r"`(make [a-z][\w-]*)", path.read_text(encoding="utf-8")))


def _not_run(command: str) -> str | None:
    return next((why for prefix, why in NOT_RUN.items()
                 if command == prefix or command.startswith(prefix + " ")), None)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def _copy_tree(root: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"],
                            cwd=REPO_ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)


@pytest.fixture(scope="session")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the working tree after `make demo`, shared by every docs test."""
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout: the clone is made from `git ls-files`")
    root = tmp_path_factory.mktemp("clone")
    _copy_tree(root)
    run = subprocess.run(["make", "demo"], cwd=root, env=_env(), capture_output=True,
                         text=True, timeout=1200)
    assert run.returncode == 0, (run.stdout[-3000:], run.stderr[-3000:])
    assert "succeeded" in run.stdout and (root / "assets/serving/analytics.duckdb").is_file()
    return root


def _shell(root: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=root, env=_env(), capture_output=True,
                          text=True, timeout=900)


SQL_RUNNER = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "for statement in filter(str.strip, sys.stdin.read().split(';')):\n"
    "    body = '\\n'.join(l for l in statement.splitlines() if not l.strip().startswith('--'))\n"
    "    if body.strip():\n"
    "        print(len(con.execute(body).fetchall()), 'rows')\n"
)


_WORKED: set[str] = set()


def _run_block(root: Path, block: Block) -> list[str]:
    """Failures of one block, as readable lines (empty when every command worked)."""
    where = f"{block.doc}:{block.line}"
    failures = []
    if block.lang in SHELL:
        for command in block.commands():
            if _not_run(command) or command in _WORKED:
                continue
            run = _shell(root, command)
            if run.returncode != 0:
                failures.append(f"{where}: `{command}` -> exit {run.returncode}\n"
                                f"{run.stdout[-1500:]}{run.stderr[-1500:]}")
            else:
                _WORKED.add(command)
    elif block.lang == "python":
        run = subprocess.run([str(root / ".venv/bin/python"), "-c", block.text], cwd=root,
                             env=_env(), capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            failures.append(f"{where}: python block -> {run.stderr[-1500:]}")
    elif block.lang == "sql":
        # docs/operations.md reads the warehouse; a block naming the serving copy reads that.
        db = ("assets/serving/analytics.duckdb" if "serving/analytics.duckdb" in block.text
              else "assets/warehouse.duckdb")
        run = subprocess.run([str(root / ".venv/bin/python"), "-c", SQL_RUNNER, db], cwd=root,
                             env=_env(), input=block.text, capture_output=True, text=True,
                             timeout=300)
        if run.returncode != 0:
            failures.append(f"{where}: sql block on {db} -> {run.stderr[-1500:]}")
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_command_in_the_docs_works_after_make_demo(clone: Path, doc: Path) -> None:
    found = blocks(doc)
    failures = [f for block in found for f in _run_block(clone, block)]
    assert not failures, "\n\n".join(failures)


@pytest.mark.slow
def test_the_readme_queries_print_what_they_say(clone: Path) -> None:
    run = _shell(clone, 'make sql Q="SELECT * FROM marts.latest_indicators"')
    assert run.returncode == 0 and "indicator" in run.stdout and "jgb_10y_pct" in run.stdout
    run = _shell(clone, ".venv/bin/duckdb -readonly assets/serving/analytics.duckdb"
                        " \"SELECT count(*) AS n FROM marts.threshold_levels\"")
    assert run.returncode == 0 and re.search(r"│\s+\d+\s+│", run.stdout), run.stdout


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_commands_not_run_here_are_still_real_make_targets(doc: Path) -> None:
    commands = table_make_commands(doc) | {
        c for b in blocks(doc) if b.lang in SHELL for c in b.commands() if _not_run(c)}
    for command in sorted(commands):
        target = command.split()[1]
        run = subprocess.run(["make", "-n", target], cwd=REPO_ROOT, capture_output=True,
                             text=True, env=_env())
        assert run.returncode == 0, f"{doc.name}: `{command}`: {run.stderr}"


def test_the_extractor_finds_the_commands_it_must_run() -> None:
    readme = blocks(REPO_ROOT / "README.md")
    shell = [c for b in readme if b.lang in SHELL for c in b.commands()]
    assert "make demo" in shell and "make replay" in shell
    assert any(c.startswith('make sql Q="SELECT') for c in shell)
    assert any(b.lang == "python" for b in readme)
    operations = blocks(REPO_ROOT / "docs" / "operations.md")
    assert sum(b.lang == "sql" for b in operations) >= 2
    assert any(c.startswith("make replay") for b in operations for c in b.commands())
