"""Deterministic random paths: anchors (real-world levels at known dates) plus seeded noise.

Every path is drawn over calendar days from a fixed start with its own generator, so the
value on a given day never depends on the as_of date: publishing one more day appends a
row and leaves history byte-identical.
"""

from __future__ import annotations

import zlib
from datetime import date

import numpy as np


def rng(name: str) -> np.random.Generator:
    """A generator seeded by a name, stable across processes (unlike hash())."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def anchored(
    anchors: list[tuple[str, float]], ords: np.ndarray, *, log: bool = False
) -> np.ndarray:
    """Linear (or log-linear) interpolation between (ISO date, level) anchors; flat outside."""
    xs = np.array([date.fromisoformat(d).toordinal() for d, _ in anchors], dtype=np.float64)
    ys = np.array([v for _, v in anchors], dtype=np.float64)
    if log:
        return np.exp(np.interp(ords, xs, np.log(ys)))
    return np.interp(ords, xs, ys)


def ar1(gen: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    """AR(1) noise x_t = phi x_{t-1} + e_t, vectorised in chunks to stay fast and stable."""
    shocks = gen.standard_normal(n) * sigma
    out = np.empty(n)
    carry = 0.0
    chunk = 512
    powers = phi ** np.arange(1, chunk + 1)
    for lo in range(0, n, chunk):
        e = shocks[lo:lo + chunk]
        k = len(e)
        p = powers[:k]
        out[lo:lo + k] = carry * p + p * np.cumsum(e / p)
        carry = out[lo + k - 1]
    return out


def alloc_integers(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total by non-negative weights so the parts add up exactly."""
    w = np.clip(weights, 0, None)
    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))
    raw = w * total
    base = np.floor(raw).astype(np.int64)
    short = int(total - base.sum())
    if short:
        order = np.argsort(-(raw - base))
        base[order[:short]] += 1
    return base
