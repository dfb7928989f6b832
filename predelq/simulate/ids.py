"""Deterministic identifiers.

Every UUID is a function of (seed, stream, counter): two 64-bit halves from
splitmix64, with the RFC 4122 version-4 and variant bits set, so they look like
random v4 UUIDs but the same run always gives the same ones (never uuid4() or
gen_random_uuid()). Vectorised for telemetry; a scalar form for master data.
"""

from __future__ import annotations

import uuid

import numpy as np

_M64 = (1 << 64) - 1
_VERSION_CLEAR = np.uint64(0xFFFF_FFFF_FFFF_0FFF)
_VERSION_SET = np.uint64(0x0000_0000_0000_4000)
_VARIANT_CLEAR = np.uint64(0x3FFF_FFFF_FFFF_FFFF)
_VARIANT_SET = np.uint64(0x8000_0000_0000_0000)

# One stream per kind of row, so adding rows of one kind never changes another's ids.
STREAMS = {
    "oem": 1, "asset_model": 2, "customer": 3, "account": 4, "asset": 5, "entity_identifier": 6,
    "poi": 7, "repayment_schedule": 8, "payment": 9, "delinquency_event": 10, "telemetry": 11,
    "unknown_telemetry": 12, "device": 13, "unknown_device": 14,
}  # fmt: skip


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (a bijection on uint64), vectorised."""
    z = np.asarray(x, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _mix_int(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def stream_key(seed: int, stream: str) -> int:
    return _mix_int((_mix_int(seed & _M64) ^ (STREAMS[stream] * 0x0100_0000_0000_0001)) & _M64)


def uuid_halves(seed: int, stream: str, counter: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hi, lo) uint64 halves of the UUIDs numbered `counter` in a stream."""
    key = np.uint64(stream_key(seed, stream))
    c = np.asarray(counter, dtype=np.uint64)
    hi = splitmix64(key ^ (c << np.uint64(1)))
    lo = splitmix64(key ^ ((c << np.uint64(1)) | np.uint64(1)))
    return (hi & _VERSION_CLEAR) | _VERSION_SET, (lo & _VARIANT_CLEAR) | _VARIANT_SET


def row_uuid_halves(seed: int, stream: str, groups: np.ndarray, group_of_row, within) -> tuple:
    """UUIDs of many rows cheaply: hi from the row's group, lo = (number within the group x an odd
    constant) xor hi. Unique while `within` < 2**62 and groups are distinct (a bijection per group)."""
    key = np.uint64(stream_key(seed, stream))
    g_hi = (splitmix64(key ^ np.asarray(groups, dtype=np.uint64)) & _VERSION_CLEAR) | _VERSION_SET
    hi = g_hi[group_of_row]
    lo = (np.asarray(within, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15) ^ hi
    return hi, (lo & _VARIANT_CLEAR) | _VARIANT_SET


def uuid_strings(seed: int, stream: str, n: int, start: int = 0) -> list[str]:
    """n UUIDs of a stream as strings (master data)."""
    hi, lo = uuid_halves(seed, stream, np.arange(start, start + n, dtype=np.uint64))
    return [str(uuid.UUID(int=(int(h) << 64) | int(lo_))) for h, lo_ in zip(hi, lo, strict=True)]


def uuid_bytes(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """(n, 16) big-endian bytes of UUIDs, the layout of Arrow's uuid type."""
    out = np.empty((len(hi), 2), dtype=">u8")
    out[:, 0] = hi
    out[:, 1] = lo
    return out.view(np.uint8).reshape(len(hi), 16)


def hex_token(seed: int, stream: str, counter: np.ndarray, digits: int) -> list[str]:
    """Deterministic upper-case hex tokens (device serials)."""
    key = np.uint64(stream_key(seed, stream))
    v = splitmix64(key ^ np.asarray(counter, dtype=np.uint64))
    return [f"{int(x):016X}"[:digits] for x in v]


class IdSet:
    """The UUIDs numbered 0..n-1 of one stream, kept as two uint64 arrays."""

    def __init__(self, seed: int, stream: str, n: int):
        self.hi, self.lo = uuid_halves(seed, stream, np.arange(n, dtype=np.uint64))

    def __len__(self) -> int:
        return len(self.hi)

    def __getitem__(self, i: int) -> str:
        return str(uuid.UUID(int=(int(self.hi[i]) << 64) | int(self.lo[i])))

    def take(self, idx) -> tuple[np.ndarray, np.ndarray]:
        idx = np.asarray(idx, dtype=np.int64)
        return self.hi[idx], self.lo[idx]
