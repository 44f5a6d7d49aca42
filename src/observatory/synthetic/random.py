"""Random numbers for the generators: a counter-based hash (SplitMix64 of row
number and stream key) evaluated as Polars integer expressions, and draws
from it (weighted choices, picks, uniform indexes)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

# ---------------------------------------------------------------------------
# Random numbers: a counter-based hash as Polars expressions.
# ---------------------------------------------------------------------------

_M64 = 0xFFFFFFFFFFFFFFFF
_GAMMA = 0x9E3779B97F4A7C15


def splitmix64(x: int) -> int:
    """SplitMix64 finaliser, in Python (for stream keys)."""
    x = (x + _GAMMA) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.UInt64)


def splitmix64_expr(z: pl.Expr) -> pl.Expr:
    """SplitMix64 finaliser on UInt64 (Polars integer arithmetic wraps around)."""
    z = z.xor(z // u64(1 << 30)) * u64(0xBF58476D1CE4E5B9)
    z = z.xor(z // u64(1 << 27)) * u64(0x94D049BB133111EB)
    return z.xor(z // u64(1 << 31))


class Rng:
    """A pool of independent uniform streams for one seed and one salt (route).

    Stream k of row i is a SplitMix64 hash of (i, key); each 64-bit hash gives two
    uniforms (high and low 32 bits). `frame(n)` materialises the pool as columns
    `_u0`, `_u1`, ...; `u()` hands out the next column. The hashes are computed in
    separate steps so that no expression repeats a deep sub-tree.
    """

    def __init__(self, seed: int, salt: int, size: int) -> None:
        base = splitmix64(splitmix64(seed & _M64) ^ splitmix64(salt + 0x632BE59BD9B4E019))
        self._keys = [splitmix64(base ^ splitmix64(k)) for k in range((size + 1) // 2)]
        self._size = size
        self._next = 0

    def frame(self, n: int) -> pl.DataFrame:
        hashes = [f"_h{j}" for j in range(len(self._keys))]
        i = pl.int_range(n, dtype=pl.UInt64)
        df = pl.select(
            [
                (i * u64(_GAMMA) + u64(key)).alias(name)
                for name, key in zip(hashes, self._keys, strict=True)
            ]
        )
        df = df.with_columns([splitmix64_expr(pl.col(name)) for name in hashes])
        scale = 1.0 / float(1 << 32)
        columns = []
        for j in range(self._size):
            h = pl.col(hashes[j // 2])
            bits = h // u64(1 << 32) if j % 2 == 0 else h.and_(u64(0xFFFFFFFF))
            columns.append(((bits.cast(pl.Float64) + 0.5) * scale).alias(f"_u{j}"))
        return df.select(columns)

    def u(self) -> pl.Expr:
        """The next uniform (0, 1) column of the pool."""
        if self._next >= self._size:
            raise RuntimeError("random pool exhausted; raise its size")
        self._next += 1
        return pl.col(f"_u{self._next - 1}")

    def normal(self) -> pl.Expr:
        """Standard normal deviates (Box-Muller)."""
        u1, u2 = self.u(), self.u()
        return (-2.0 * u1.log()).sqrt() * (2.0 * math.pi * u2).cos()


def cumulative(weights: Sequence[float]) -> pl.Series:
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("weights must have a positive sum")
    acc, out = 0.0, []
    for w in weights:
        acc += w
        out.append(acc / total)
    out[-1] = 1.0
    return pl.Series(out, dtype=pl.Float64)


def choice(u: pl.Expr, weights: Sequence[float]) -> pl.Expr:
    """Index (UInt32) drawn with the given weights from a uniform expression."""
    cum = cumulative(weights)
    return pl.lit(cum).search_sorted(u, side="right").clip(0, len(cum) - 1).cast(pl.UInt32)


def pick(values: Sequence[object], index: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    return pl.lit(pl.Series(list(values), dtype=dtype)).gather(index)


def uniform_index(u: pl.Expr, count: pl.Expr | int) -> pl.Expr:
    return (u * count).floor().cast(pl.Int64)
