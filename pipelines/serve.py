"""`make serve`: Dagster's production processes on one machine, until Ctrl-C.

Starts the code server (gRPC), then the daemon (schedules, sensors, run queue) and the
webserver, all against one instance: PostgreSQL when DAGSTER_POSTGRES_URL (or the DAGSTER_PG_*
parts) is set, else SQLite in DAGSTER_HOME. Schedules and sensors are switched on here
(JGB_AUTOMATION=on) and nowhere else. Each service runs in its own process group; Ctrl-C or
SIGTERM stops them in reverse order (SIGINT, then SIGTERM, then SIGKILL to the whole group,
run workers included), so nothing is left behind. If one service dies, the others are stopped
and serve exits non-zero, for systemd or Kubernetes to restart.

    python -m pipelines.serve [--services code-server,daemon,webserver]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from pipelines.lib import settings

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCATION = "jgb_ust_flows"
SERVICES = ("code-server", "daemon", "webserver")
# Pool limits set in the instance at every start, so they never depend on a default.
POOL_LIMITS = {"warehouse": 1}
STOP_GRACE_S = 20.0
PR_SET_PDEATHSIG = 1
# dagster-postgres is written for psycopg2; SQLAlchemy 2.1 picks psycopg 3 for a bare
# postgresql:// URL, so the driver is named.
DIALECT = "postgresql+psycopg2"


def postgres_url(env: Mapping[str, str]) -> str | None:
    """DAGSTER_POSTGRES_URL, or one built from DAGSTER_PG_HOST/_PORT/_USERNAME/_PASSWORD/_DB;
    a postgres:// or postgresql:// scheme becomes postgresql+psycopg2://."""
    url = env.get("DAGSTER_POSTGRES_URL")
    if not url and env.get("DAGSTER_PG_HOST"):
        user = quote(env.get("DAGSTER_PG_USERNAME", "dagster"), safe="")
        password = env.get("DAGSTER_PG_PASSWORD")
        auth = f"{user}:{quote(password, safe='')}" if password else user
        url = (f"postgresql://{auth}@{env['DAGSTER_PG_HOST']}:"
               f"{env.get('DAGSTER_PG_PORT', '5432')}/{env.get('DAGSTER_PG_DB', 'dagster')}")
    if not url:
        return None
    scheme, _, rest = url.partition("://")
    return f"{DIALECT}://{rest}" if scheme in ("postgres", "postgresql") else url


def prepare_home(home: Path, env: dict[str, str]) -> Path:
    """Write DAGSTER_HOME/dagster.yaml for this environment (PostgreSQL or SQLite)."""
    url = postgres_url(env)
    source = REPO_ROOT / ("dagster.postgres.yaml" if url else "dagster.yaml")
    if url:
        env["DAGSTER_POSTGRES_URL"] = url
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, home / "dagster.yaml")
    return source


def set_pool_limits(env: Mapping[str, str]) -> None:
    for pool, limit in POOL_LIMITS.items():
        subprocess.run([sys.executable, "-m", "dagster", "instance", "concurrency", "set",
                        pool, str(limit)], env=env, cwd=REPO_ROOT, check=True,
                       stdout=subprocess.DEVNULL)


def command(service: str, args: argparse.Namespace) -> list[str]:
    py = [sys.executable, "-m"]
    if service == "code-server":
        return [*py, "dagster", "code-server", "start", "-h", args.grpc_host,
                "-p", str(args.grpc_port), "-m", "pipelines.definitions",
                "--location-name", LOCATION, "-d", str(REPO_ROOT)]
    if service == "daemon":
        return [*py, "dagster._daemon", "run", "-w", "workspace.grpc.yaml"]
    if service == "webserver":
        return [*py, "dagster_webserver", "-w", "workspace.grpc.yaml",
                "-h", args.host, "-p", str(args.port)]
    raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")


def wait_for_port(host: str, port: int, proc: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"code server exited ({proc.returncode}) before listening")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"code server not listening on {host}:{port} after {timeout_s:.0f}s")


def stop(procs: dict[str, subprocess.Popen]) -> None:
    """Reverse start order: SIGINT, SIGTERM, then SIGKILL to each service's process group."""
    for name, proc in reversed(list(procs.items())):
        for sig, grace in ((signal.SIGINT, STOP_GRACE_S / 2), (signal.SIGTERM, STOP_GRACE_S / 2),
                           (signal.SIGKILL, 5.0)):
            if proc.poll() is not None:
                break
            _signal_group(proc, sig)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                print(f"serve: {name} still running after {sig.name}", file=sys.stderr)
        _signal_group(proc, signal.SIGKILL)  # stragglers: run workers, child servers


def _own_group_dies_with_parent() -> None:
    """In the child: its own process group, and SIGTERM if serve itself is killed (Linux)."""
    os.setsid()
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):
        pass


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", default=",".join(SERVICES),
                        help="comma-separated subset of " + ",".join(SERVICES))
    (host, port), (grpc_host, grpc_port) = settings.webserver_address(), settings.grpc_address()
    parser.add_argument("--host", default=host)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--grpc-host", default=grpc_host)
    parser.add_argument("--grpc-port", type=int, default=grpc_port)
    args = parser.parse_args(argv)
    services = [s.strip() for s in args.services.split(",") if s.strip()]
    for s in services:
        command(s, args)  # unknown names fail before anything starts

    env = settings.child_environment()
    home = Path(env.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home"))).resolve()
    env["DAGSTER_HOME"] = str(home)
    env.update(DAGSTER_GRPC_HOST=args.grpc_host, DAGSTER_GRPC_PORT=str(args.grpc_port))
    env.setdefault("JGB_AUTOMATION", "on")
    source = prepare_home(home, env)
    print(f"serve: instance {source.name} in {home}", flush=True)
    set_pool_limits(env)

    procs: dict[str, subprocess.Popen] = {}
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name in services:
            if stopping:
                break
            procs[name] = subprocess.Popen(command(name, args), cwd=REPO_ROOT, env=env,
                                           preexec_fn=_own_group_dies_with_parent)
            print(f"serve: {name} started (pid {procs[name].pid})", flush=True)
            if name == "code-server":
                wait_for_port(args.grpc_host, args.grpc_port, procs[name], 120)
        if "webserver" in procs:
            print(f"serve: UI on http://{args.host}:{args.port}", flush=True)
        while not stopping:
            dead = [n for n, p in procs.items() if p.poll() is not None]
            if dead:
                print(f"serve: {', '.join(dead)} exited; stopping the others", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        stop(procs)
        print("serve: stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
