"""Raw landing zone: each response body kept byte-for-byte under `<source>/<sha256[:2]>/<sha256>`,
named by its hash so no secret reaches a file name and the same body is stored once."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from pipelines.lib.errors import LandingZoneError
from pipelines.lib.warehouse import disk_error


class RawStore:
    """Content-addressed, write-once storage of response bodies."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, source: str, sha256: str) -> Path:
        return self.root / source / sha256[:2] / sha256

    def put(self, source: str, body: bytes) -> tuple[str, Path]:
        sha = hashlib.sha256(body).hexdigest()
        path = self.path_for(source, sha)
        if not path.exists():
            tmp = path.with_name(f".{sha}.{os.getpid()}.{threading.get_ident()}.tmp")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(tmp, "wb") as fh:
                    fh.write(body)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)  # atomic: a reader never sees half a body
            except OSError as exc:
                tmp.unlink(missing_ok=True)  # a full disk leaves no half-written body behind
                raise disk_error(self.root, exc) from None
        return sha, path

    def get(self, source: str, sha256: str) -> bytes:
        """The body, or LandingZoneError naming the source and the missing file."""
        path = self.path_for(source, sha256)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise LandingZoneError(
                source, None,
                f"raw file {path} cannot be read ({exc.strerror or type(exc).__name__}):"
                " restore assets/raw/ from a backup, or run without REPLAY=1 to fetch again",
            ) from None
