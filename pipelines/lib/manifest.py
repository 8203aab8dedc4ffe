"""The landing zone's own index: an append-only JSON-lines manifest beside the bodies.

`assets/raw/manifest.jsonl` lists every response (`fetch`), every body found unusable after
the fact (`flag`) and every batch published into staging (`load`: the bodies it was built
from, in order, with the moment it became known). Replay reads this file, never the
warehouse, so deleting the warehouse loses nothing the landing zone cannot rebuild, history
included. Lines are only ever appended, under an exclusive lock, and each is one JSON object;
a torn last line (a crash mid-append) is ignored.

Bodies are keyed by what they answer (`replay_key`: path and query without scheme, host or
secrets, so `cosd=` and `observation_start=` stay), never by which host served them.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pipelines.lib.redact import SECRET_PARAMS, redact_url

MANIFEST = "manifest.jsonl"


def replay_key(url: str) -> str:
    """What a request asks for, whoever served it: path plus sorted query, secrets dropped.

    `http://127.0.0.1:5123/graph/fredgraph.csv?id=DGS10&cosd=2026-11-03` and the same request
    to https://fred.stlouisfed.org have one key; two windows of one series have two.
    """
    parts = urlsplit(redact_url(url))
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if k.lower() not in SECRET_PARAMS)
    return parts.path + ("?" + urlencode(query) if query else "")


class Manifest:
    """Appends to and reads `raw/manifest.jsonl`. Thread- and process-safe appends."""

    def __init__(self, root: Path) -> None:
        self.path = root / MANIFEST
        self._lock = threading.Lock()

    def append(self, kind: str, **fields: Any) -> None:
        line = json.dumps({"kind": kind, **fields}, default=_json_default, ensure_ascii=False)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, open(self.path, "a+b") as fh:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
                try:
                    size = os.fstat(fh.fileno()).st_size
                    torn = size > 0 and os.pread(fh.fileno(), 1, size - 1) != b"\n"
                    # A crash mid-append left a line without its end: start a fresh one.
                    fh.write((b"\n" if torn else b"") + line.encode() + b"\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                finally:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        except OSError as exc:
            from pipelines.lib.warehouse import disk_error

            raise disk_error(self.path.parent, exc) from None

    def records(self, kind: str | None = None) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue  # a torn last line from a crash mid-append
                if kind is None or rec.get("kind") == kind:
                    yield rec

    def loads(self, dataset: str) -> list[dict[str, Any]]:
        """Every batch published into `dataset`, oldest first."""
        return [r for r in self.records("load") if r.get("dataset") == dataset]

    def good_body(self, source: str, key: str) -> dict[str, Any] | None:
        """The newest usable 200 for this request: never flagged, or loaded since."""
        flagged, loaded, candidates = set(), set(), []
        for rec in self.records():
            if rec["kind"] == "flag":
                flagged.add(rec["sha256"])
            elif rec["kind"] == "load":
                loaded.update(b["sha256"] for b in rec.get("bodies", ()))
            elif (rec["kind"] == "fetch" and rec.get("source") == source
                  and rec.get("status") == 200 and not rec.get("problem")
                  and rec.get("replay_key") == key):
                candidates.append(rec)
        usable = [r for r in candidates if r["sha256"] not in flagged or r["sha256"] in loaded]
        return usable[-1] if usable else None


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
