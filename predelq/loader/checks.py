"""Parse and check one chunk of rows: which go to the stage, which to quarantine.

All checks are vectorised (pyarrow / numpy); Python loops run only over the
rejected rows, to write their readable detail. A row gets the first reason that
applies, in this order:

1. `missing_value`       a required value is empty (or no vehicle identifier)
2. `unparseable_timestamp` / `unparseable_value`   text that is not a timestamp,
                         number, integer, boolean, UUID or date
3. `future_timestamp`    later than load time + the allowed clock skew; loan-book
                         dates: `out_of_range` before 2000, `future_date` after the
                         load's local day (predelq/loader/bounds.py)
4. `out_of_range`        outside the bounds in LoaderSettings (names field and value)
5. `invalid_value`       not one of the accepted values (payment status, identifier type)
6. `unknown_device` / `ambiguous_device` (telemetry: identifier not assigned to
   exactly one asset on the reading's local day), `unknown_account` (loan book)
7. `out_of_range`        loan book: a date before the loan's disbursement, a due
                         date after the loan's term (bounds.py)

`duplicate` is decided later in SQL, over the whole file and the table
(predelq/loader/store.py); `malformed_row` comes from the reader.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from predelq.loader import bounds
from predelq.loader.readers import Chunk, Refused
from predelq.loader.settings import LoaderSettings
from predelq.loader.specs import IDENTIFIER_TYPES, Field, FileSpec

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
TRUE_TEXT = ["true", "t", "1", "yes", "y"]
FALSE_TEXT = ["false", "f", "0", "no", "n"]
KIND_NAMES = {
    "number": "a number",
    "integer": "an integer",
    "bool": "a boolean",
    "uuid": "a UUID",
    "date": "a date (YYYY-MM-DD)",
    "timestamp": "a timestamp",
}
QUARANTINE_SCHEMA = pa.schema(
    [("row_number", pa.int64()), ("reason", pa.string()), ("detail", pa.string()), ("record", pa.string())]
)


# --- reference data -------------------------------------------------------------
class AssetIdentifiers:
    """Asset identifiers with their validity windows as UTC instants (local midnights).

    Resolution is vectorised: a row's (identifier type, value) is looked up as an
    integer key, and its timestamp is compared with that key's windows (sorted, a
    handful at most), so a chunk costs a few numpy passes whatever its size.
    """

    SEP = "\x1f"
    OPEN = np.iinfo("int64").max

    def __init__(self, rows: list[tuple], timezone: str):
        self.timezone = timezone
        df = pd.DataFrame(
            rows, columns=["identifier_type", "identifier_value", "entity_id", "valid_from", "valid_to"]
        )
        df["key"] = df["identifier_type"].astype(str) + self.SEP + df["identifier_value"].astype(str)
        df["vf"] = _local_midnight_utc(df["valid_from"], timezone)
        df["vt"] = _local_midnight_utc(df["valid_to"], timezone)
        df = df.sort_values(["key", "vf"], kind="stable").reset_index(drop=True)
        keys = pd.unique(df["key"])
        self.keys = pa.array(keys, pa.string())
        key_code = pd.Categorical(df["key"], categories=keys).codes.astype("int64")
        self.start = np.searchsorted(key_code, np.arange(len(keys)), side="left")
        self.end = np.searchsorted(key_code, np.arange(len(keys)), side="right")
        self.max_windows = int((self.end - self.start).max()) if len(keys) else 0
        self.vf = _micros(df["vf"], 0)
        self.vt = _micros(df["vt"], self.OPEN)
        entities = pd.unique(df["entity_id"].astype(str))
        self.entities = pa.array(entities, pa.string())
        entity_ids = df["entity_id"].astype(str)
        self.entity_code = pd.Categorical(entity_ids, categories=entities).codes.astype("int64")

    def key_codes(self, types: pa.Array, values: pa.Array) -> np.ndarray:
        keys = pc.binary_join_element_wise(types, values, self.SEP)
        codes = pc.index_in(keys, value_set=self.keys)
        return np.asarray(pc.fill_null(codes, -1).to_numpy(zero_copy_only=False), dtype="int64")

    def resolve(self, types: pa.Array, values: pa.Array, ts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """Per row: the asset code (index into `entities`, -1 if none) and how many assets matched."""
        m = len(types)
        asset = np.full(m, -1, dtype="int64")
        matches = np.zeros(m, dtype="int64")
        if not m or not len(self.keys):
            return asset, matches
        k = self.key_codes(types, values)
        known = k >= 0
        kk = np.where(known, k, 0)
        micros = np.asarray(pc.fill_null(ts.cast(pa.int64()), 0).to_numpy(zero_copy_only=False))
        for j in range(self.max_windows):
            w = self.start[kk] + j
            ok = known & (w < self.end[kk])
            w = np.where(ok, w, 0)
            hit = ok & (micros >= self.vf[w]) & (micros < self.vt[w])
            ent = self.entity_code[w]
            first = hit & (asset == -1)
            asset[first] = ent[first]
            matches[first] = 1
            other = hit & ~first & (ent != asset)
            matches[other] += 1
        return asset, matches

    def is_known(self, identifier_type: str, value: str) -> bool:
        return self.keys.index(pa.scalar(identifier_type + self.SEP + value)).as_py() >= 0

    def local_day(self, ts: dt.datetime) -> str:
        return pd.Timestamp(ts).tz_convert(self.timezone).date().isoformat()


def _micros(series: pd.Series, fill: int) -> np.ndarray:
    values = series.astype("datetime64[us, UTC]")
    out = values.to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT")).astype("int64")
    out[values.isna().to_numpy()] = fill
    return out


def _local_midnight_utc(dates: pd.Series, timezone: str) -> pd.Series:
    naive = pd.to_datetime(dates, errors="coerce").astype("datetime64[us]")
    local = naive.dt.tz_localize(timezone, nonexistent="shift_forward", ambiguous=False)
    return local.dt.tz_convert("UTC")


@dataclass
class CheckContext:
    spec: FileSpec
    settings: LoaderSettings
    loaded_at: dt.datetime
    file_columns: list[str]
    assets: AssetIdentifiers | None = None
    account_ids: pa.Array | None = None
    account_disbursed: np.ndarray | None = None  # days since epoch per account_ids entry (or -1)
    account_term_end: np.ndarray | None = None  # last allowed due day per account (or int64 max)
    reasons: Counter = field(default_factory=Counter)

    @property
    def extra_columns(self) -> list[str]:
        known = self.spec.field_names()
        if self.spec.reference == "asset_identifier":
            known |= {*IDENTIFIER_TYPES, "identifier_type", "identifier", "identifier_value"}
        return [c for c in self.file_columns if c not in known]


# --- parsing -----------------------------------------------------------------------
def _null_mask(arr: pa.Array) -> np.ndarray:
    return np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def _bool_np(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def normalize_text(arr: pa.Array | None, n: int) -> pa.Array:
    """Trimmed text, empty -> null."""
    if arr is None:
        return pa.nulls(n, pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_fixed_size_binary(arr.type) and arr.type.byte_width == 16:
        import uuid

        return pa.array(
            [None if b is None else str(uuid.UUID(bytes=b)) for b in arr.to_pylist()], pa.string()
        )
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        try:
            arr = pc.cast(arr, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise Refused(f"a column of type {arr.type} cannot be read as a value: {exc}") from exc
    arr = pc.utf8_trim_whitespace(arr.cast(pa.string()))
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def parse(f: Field, arr: pa.Array | None, n: int) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(typed values, missing mask, unparseable mask) for one field of one chunk."""
    if arr is not None and isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    textual = arr is None or pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
    if not textual and f.kind in ("number", "integer", "bool", "timestamp", "date"):
        values, missing, bad = _parse_typed(f, arr)
    else:
        text = normalize_text(arr, n)
        missing = _null_mask(text)
        values = _parse_text(f, text)
        bad = ~missing & _null_mask(values)
    if f.kind == "number":
        finite = pc.is_finite(pc.fill_null(values, 0.0))
        bad |= ~_bool_np(finite)
        values = pc.if_else(finite, values, pa.scalar(None, pa.float64()))
    return values, missing, bad


def _parse_typed(f: Field, arr: pa.Array):
    missing = _null_mask(arr)
    try:
        if f.kind == "timestamp":
            if not pa.types.is_timestamp(arr.type):
                raise pa.ArrowInvalid("not a timestamp column")
            values = pc.cast(arr, pa.timestamp("us", arr.type.tz or "UTC"))
            values = values.cast(pa.timestamp("us", "UTC"))
        elif f.kind == "date" and pa.types.is_timestamp(arr.type):
            values = pc.cast(arr, pa.date32())
        elif f.kind == "number" and pa.types.is_floating(arr.type):
            values = pc.cast(arr, pa.float64())
            nan = _bool_np(pc.is_nan(values))
            missing = missing | nan  # a NaN in a float column is how pandas writes "missing"
            values = pc.if_else(pa.array(nan), pa.scalar(None, pa.float64()), values)
        elif f.kind == "integer" and pa.types.is_floating(arr.type):
            values = pc.cast(arr, pa.int64())  # raises if not integral
        else:
            values = pc.cast(arr, f.arrow_type)
        bad = np.zeros(len(arr), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _parse_typed_as_text(f, arr)
    return values, missing, bad


def _parse_typed_as_text(f: Field, arr: pa.Array):
    text = normalize_text(arr, len(arr))
    missing = _null_mask(text)
    values = _parse_text(f, text)
    return values, missing, ~missing & _null_mask(values)


def _parse_text(f: Field, text: pa.Array) -> pa.Array:
    """Text -> typed array; values that do not parse become null."""
    kind = f.kind
    if kind in ("text",):
        return text
    if kind == "enum":
        lowered = pc.utf8_lower(text)
        ok = pc.is_in(lowered, value_set=pa.array(f.choices))
        return pc.if_else(ok, lowered, pa.scalar(None, pa.string()))
    if kind == "uuid":
        lowered = pc.utf8_lower(text)
        ok = pc.match_substring_regex(lowered, UUID_RE)
        return pc.if_else(ok, lowered, pa.scalar(None, pa.string()))
    if kind == "bool":
        lowered = pc.utf8_lower(text)
        is_true = pc.is_in(lowered, value_set=pa.array(TRUE_TEXT))
        is_false = pc.is_in(lowered, value_set=pa.array(FALSE_TEXT))
        return pc.if_else(pc.or_(is_true, is_false), is_true, pa.scalar(None, pa.bool_()))
    if kind in ("number", "integer"):
        try:
            as_float = pc.cast(text, pa.float64())
        except pa.ArrowInvalid:
            as_float = pa.array(pd.to_numeric(text.to_pandas(), errors="coerce"), pa.float64())
        if kind == "number":
            return as_float
        whole = pc.equal(pc.floor(as_float), as_float)
        in_range = pc.less(pc.abs(as_float), 2.0**53)
        ok = pc.fill_null(pc.and_(whole, in_range), False)
        return pc.cast(pc.if_else(ok, as_float, pa.scalar(None, pa.float64())), pa.int64())
    if kind == "timestamp":
        return parse_timestamps(text)
    if kind == "date":
        try:
            return pc.cast(text, pa.date32())
        except pa.ArrowInvalid:
            parsed = pd.to_datetime(text.to_pandas(), errors="coerce", format="%Y-%m-%d")
            return pa.array(parsed.dt.date, pa.date32())
    raise ValueError(f"unknown field kind {kind!r}")


def parse_timestamps(text: pa.Array) -> pa.Array:
    """ISO 8601 text -> timestamp[us, UTC]; without an offset the time is UTC."""
    target = pa.timestamp("us", "UTC")
    try:
        return pc.cast(text, target)
    except pa.ArrowInvalid:
        pass
    try:
        return pc.cast(pc.cast(text, pa.timestamp("us")), target)
    except pa.ArrowInvalid:
        pass
    parsed = pd.to_datetime(text.to_pandas(), utc=True, errors="coerce", format="ISO8601")
    return pa.array(parsed.astype("datetime64[us, UTC]"), target)


# --- checking a chunk --------------------------------------------------------------
class _Verdicts:
    """First reason per row; details are written only for the rows flagged."""

    def __init__(self, n: int):
        self.open = np.ones(n, dtype=bool)
        self.reason = np.full(n, None, dtype=object)
        self.detail = np.full(n, None, dtype=object)

    def flag(self, mask: np.ndarray, reason: str, describe) -> None:
        idx = np.flatnonzero(mask & self.open)
        if not len(idx):
            return
        self.open[idx] = False
        self.reason[idx] = reason
        for i, text in zip(idx, describe(idx), strict=True):
            self.detail[i] = text


def _fmt(value) -> str:
    if isinstance(value, float):
        # exact: -180.0001 must not read as -180; whole numbers without ".0"
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def _bounds_text(low: float, high: float) -> str:
    return f"[{_fmt(float(low))}, {_fmt(float(high))}]"


def check_chunk(ctx: CheckContext, chunk: Chunk) -> tuple[pa.Table, pa.Table]:
    """(stage rows, quarantine rows) for one chunk; counts reasons in ctx.reasons."""
    spec, settings = ctx.spec, ctx.settings
    n = chunk.num_rows
    verdicts = _Verdicts(n)
    original = chunk.columns

    def texts(name: str, idx) -> list:
        arr = original.get(name)
        if arr is None:
            return [None] * len(idx)
        return arr.take(pa.array(idx)).to_pylist()

    # 1. identifiers (telemetry) and parsing
    id_types = id_values = None
    if spec.reference == "asset_identifier":
        id_types, id_values, bad_type = _identifiers(original, n)
        no_id = _null_mask(id_values)
        verdicts.flag(no_id, "missing_value", lambda idx: ["no device_id, vin or registration"] * len(idx))
    parsed: dict[str, pa.Array] = {}
    unparseable: dict[str, np.ndarray] = {}
    for f in spec.fields:
        values, missing, bad = parse(f, original.get(f.name), n)
        parsed[f.name] = values
        unparseable[f.name] = bad
        if f.required:
            verdicts.flag(missing, "missing_value", lambda idx, f=f: [f"{f.name} is empty"] * len(idx))
    # text with a NUL character: PostgreSQL cannot store it (text or JSON), so no engine gets it
    for name, arr in original.items():
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            nul = _bool_np(pc.match_substring(arr, "\x00"))
            if nul.any():
                verdicts.flag(
                    nul,
                    "unparseable_value",
                    lambda idx, name=name: [f"{name} contains a NUL character"] * len(idx),
                )
    for f in spec.fields:
        if f.kind == "enum":
            continue  # a bad enum value is invalid_value, below
        reason = "unparseable_timestamp" if f.kind == "timestamp" else "unparseable_value"
        what = KIND_NAMES.get(f.kind, "valid")
        verdicts.flag(
            unparseable[f.name],
            reason,
            lambda idx, f=f, what=what: [f"{f.name} {v!r} is not {what}" for v in texts(f.name, idx)],
        )

    # 3. timestamps in the future / before any plausible date
    latest = ctx.loaded_at + dt.timedelta(minutes=settings.max_clock_skew_minutes)
    for f in spec.fields:
        if f.kind != "timestamp":
            continue
        values = parsed[f.name]
        if f.not_future:
            future = _bool_np(pc.greater(values, pa.scalar(latest, pa.timestamp("us", "UTC"))))
            verdicts.flag(
                future,
                "future_timestamp",
                lambda idx, f=f: [
                    f"{f.name} {_fmt(v)} is later than load time + {settings.max_clock_skew_minutes} min "
                    f"({_fmt(latest.replace(microsecond=0))})"
                    for v in parsed[f.name].take(pa.array(idx)).to_pylist()
                ],
            )
        too_old = _bool_np(pc.less(values, pa.scalar(settings.min_timestamp, pa.timestamp("us", "UTC"))))
        verdicts.flag(
            too_old,
            "out_of_range",
            lambda idx, f=f: [
                f"{f.name} {_fmt(v)} is before {settings.min_timestamp.date().isoformat()}"
                for v in parsed[f.name].take(pa.array(idx)).to_pylist()
            ],
        )

    _check_dates(ctx, verdicts, parsed, latest)

    # 4. bounds
    for f in spec.fields:
        if not f.bounds:
            continue
        low, high = getattr(settings, f.bounds)
        values = parsed[f.name]
        outside = pc.or_(pc.less(values, low), pc.greater(values, high))
        verdicts.flag(
            _bool_np(outside),
            "out_of_range",
            lambda idx, f=f, low=low, high=high: [
                f"{f.name} {_fmt(v)} outside {_bounds_text(low, high)}"
                for v in parsed[f.name].take(pa.array(idx)).to_pylist()
            ],
        )

    # 5. accepted values
    if id_types is not None:
        verdicts.flag(
            bad_type,
            "invalid_value",
            lambda idx: [
                f"identifier_type {v!r} not in {', '.join(IDENTIFIER_TYPES)}"
                for v in texts("identifier_type", idx)
            ],
        )
    for f in spec.fields:
        if f.kind == "enum":
            verdicts.flag(
                unparseable[f.name],
                "invalid_value",
                lambda idx, f=f: [
                    f"{f.name} {v!r} not in {', '.join(f.choices)}" for v in texts(f.name, idx)
                ],
            )

    # 6. references
    asset_ids = None
    if spec.reference == "asset_identifier":
        asset_ids = _check_assets(ctx, verdicts, id_types, id_values, parsed["ts"])
    elif spec.reference == "account" and ctx.account_ids is not None:
        known = _bool_np(pc.is_in(parsed["account_id"], value_set=ctx.account_ids))
        verdicts.flag(
            ~known,
            "unknown_account",
            lambda idx: [
                f"account_id {v!r} is not in raw.accounts"
                for v in parsed["account_id"].take(pa.array(idx)).to_pylist()
            ],
        )

    if spec.table in bounds.DATE_RULES and ctx.account_disbursed is not None:
        _check_loan_terms(ctx, verdicts, parsed)

    keep = verdicts.open
    ctx.reasons.update(verdicts.reason[~keep].tolist())
    ctx.reasons.update({"malformed_row": len(chunk.malformed)} if chunk.malformed else {})
    return _stage_table(ctx, chunk, keep, parsed, id_types, id_values, asset_ids), _quarantine_table(
        ctx, chunk, verdicts
    )


def _days(arr: pa.Array) -> np.ndarray:
    """date32 values as int days since 1970-01-01 (null -> int64 min)."""
    days = pc.fill_null(arr.cast(pa.int32()).cast(pa.int64()), np.iinfo("int64").min)
    return np.asarray(days.to_numpy(zero_copy_only=False), dtype="int64")


def _check_dates(ctx, verdicts: _Verdicts, parsed: dict, latest: dt.datetime) -> None:
    """Loan-book dates: not before bounds.MIN_DATE, event dates not after load time (local day)."""
    rules = bounds.DATE_RULES.get(ctx.spec.table)
    if not rules:
        return
    settings = ctx.settings
    last = bounds.latest_day(ctx.loaded_at, settings.max_clock_skew_minutes, settings.local_timezone)
    for name, what in rules.items():
        values = parsed[name]
        too_old = _bool_np(pc.less(values, pa.scalar(bounds.MIN_DATE, pa.date32())))
        verdicts.flag(
            too_old,
            "out_of_range",
            lambda idx, name=name: [
                f"{name} {v.isoformat()} is before {bounds.MIN_DATE.isoformat()}"
                for v in parsed[name].take(pa.array(idx)).to_pylist()
            ],
        )
        if "not_future" in what:
            future = _bool_np(pc.greater(values, pa.scalar(last, pa.date32())))
            verdicts.flag(
                future,
                "future_date",
                lambda idx, name=name: [
                    f"{name} {v.isoformat()} is later than the load day {last.isoformat()} "
                    f"({settings.local_timezone}, load time + {settings.max_clock_skew_minutes} min)"
                    for v in parsed[name].take(pa.array(idx)).to_pylist()
                ],
            )


def _check_loan_terms(ctx, verdicts: _Verdicts, parsed: dict) -> None:
    """Dates before the loan's disbursement, due dates after its term (see bounds.py)."""
    pos = pc.index_in(parsed["account_id"], value_set=ctx.account_ids)
    pos = np.asarray(pc.fill_null(pos, -1).to_numpy(zero_copy_only=False), dtype="int64")
    known = pos >= 0
    p = np.where(known, pos, 0)
    disbursed = np.where(known, ctx.account_disbursed[p], -1)
    term_end = np.where(known, ctx.account_term_end[p], np.iinfo("int64").max)
    epoch = dt.date(1970, 1, 1)

    def day(n) -> str:
        return (epoch + dt.timedelta(days=int(n))).isoformat()

    for name, what in bounds.DATE_RULES[ctx.spec.table].items():
        values = _days(parsed[name])
        present = values != np.iinfo("int64").min
        if "after_disbursement" in what:
            early = present & (disbursed >= 0) & (values < disbursed)
            verdicts.flag(
                early,
                "out_of_range",
                lambda idx, name=name, values=values: [
                    f"{name} {day(values[i])} is before the loan's disbursement on {day(disbursed[i])}"
                    for i in idx
                ],
            )
        if "within_term" in what:
            late = present & (values > term_end)
            verdicts.flag(
                late,
                "out_of_range",
                lambda idx, name=name, values=values: [
                    f"{name} {day(values[i])} is after the loan's term "
                    f"(last allowed day {day(term_end[i])}, {bounds.TERM_GRACE_DAYS} days grace included)"
                    for i in idx
                ],
            )


def _identifiers(cols: dict[str, pa.Array], n: int):
    """(types, values, bad type mask) per row: identifier_type + identifier, or the first id column filled."""
    if "identifier_type" in cols:
        types = pc.utf8_lower(normalize_text(cols["identifier_type"], n))
        values = normalize_text(cols.get("identifier", cols.get("identifier_value")), n)
        bad_type = ~_null_mask(types) & ~_bool_np(pc.is_in(types, value_set=pa.array(IDENTIFIER_TYPES)))
        types = pc.if_else(pa.array(bad_type), pa.scalar(None, pa.string()), types)
        values = pc.if_else(
            pc.and_(pc.is_null(types), pa.array(~bad_type)), pa.scalar(None, pa.string()), values
        )
        return types, values, bad_type
    present = [c for c in IDENTIFIER_TYPES if c in cols]
    texts = [normalize_text(cols[c], n) for c in present]
    values = pc.coalesce(*texts) if texts else pa.nulls(n, pa.string())
    types = pa.nulls(n, pa.string())
    for name, text in reversed(list(zip(present, texts, strict=True))):
        types = pc.if_else(pc.is_valid(text), pa.scalar(name), types)
    return types, values, np.zeros(n, dtype=bool)


def _check_assets(ctx, verdicts: _Verdicts, id_types, id_values, ts: pa.Array) -> np.ndarray:
    """Flag unknown / ambiguous identifiers; the asset code of every row (-1 if none)."""
    n = len(verdicts.open)
    codes = np.full(n, -1, dtype="int64")
    rows = np.flatnonzero(verdicts.open)
    if not len(rows):
        return codes
    sel = pa.array(rows)
    types, values, stamps = id_types.take(sel), id_values.take(sel), ts.take(sel)
    assets = ctx.assets
    resolved, matches = assets.resolve(types, values, stamps)
    codes[rows] = resolved
    unknown = np.zeros(n, dtype=bool)
    unknown[rows[matches == 0]] = True
    ambiguous = np.zeros(n, dtype=bool)
    ambiguous[rows[matches > 1]] = True

    def row(i):
        k = int(np.searchsorted(rows, i))
        return types[k].as_py(), values[k].as_py(), stamps[k].as_py(), int(matches[k])

    def describe_unknown(idx):
        out = []
        for i in idx:
            t, v, stamp, _ = row(i)
            if not assets.is_known(t, v):
                out.append(f"{t} {v!r} is not a known asset identifier")
            else:
                day = assets.local_day(stamp)
                out.append(f"{t} {v!r} belongs to no asset on {day} ({assets.timezone})")
        return out

    def describe_ambiguous(idx):
        out = []
        for i in idx:
            t, v, stamp, m = row(i)
            out.append(f"{t} {v!r} belongs to {m} assets on {assets.local_day(stamp)} (overlapping windows)")
        return out

    verdicts.flag(unknown, "unknown_device", describe_unknown)
    verdicts.flag(ambiguous, "ambiguous_device", describe_ambiguous)
    return codes


def _stage_table(ctx, chunk, keep, parsed, id_types, id_values, asset_ids) -> pa.Table:
    spec = ctx.spec
    mask = pa.array(keep)
    cols: dict[str, pa.Array] = {"row_no": pa.array(chunk.row_numbers[keep], pa.int64())}
    if spec.reference == "asset_identifier":
        types = id_types.filter(mask)
        cols["device_id"] = id_values.filter(mask)
        # device rows: staging resolves the device by window; VIN/registration rows carry the asset
        device_rows = _bool_np(pc.equal(types, "device_id"))
        kept = asset_ids[keep]
        kept[device_rows] = -1
        cols["asset_id"] = ctx.assets.entities.take(pa.array(kept, mask=kept < 0))
    for f in spec.fields:
        cols[f.name] = parsed[f.name].filter(mask).cast(f.arrow_type)
    if spec.reference == "asset_identifier":
        cols["raw_payload"] = _raw_payload(ctx, chunk, keep, types)
    return pa.table(cols)


_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


def raw_records(names: list[str], columns: dict[str, pa.Array], mask: pa.Array) -> pa.Array:
    """Per kept row, the row as sent as a JSON object of text (vectorised); null when a
    column cannot be shown as text (then the quarantine falls back to the parsed values)."""
    n = int(pc.sum(mask).as_py() or 0)
    parts: list = []
    for i, name in enumerate(names):
        arr = columns.get(name)
        if arr is None:
            continue
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        arr = arr.filter(mask)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            try:
                arr = pc.cast(arr, pa.string())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return pa.nulls(n, pa.string())
        text = arr.cast(pa.string())
        if pc.any(pc.match_substring_regex(text, '[\\\\"\\x00-\\x1f]')).as_py():  # escape only if needed
            for old, new in _JSON_ESCAPES:
                text = pc.replace_substring(text, old, new)
            text = pc.replace_substring_regex(text, "[\\x00-\\x1f]", "\ufffd")
        quoted = pc.binary_join_element_wise('"', text, '"', "")
        value = pc.fill_null(quoted, "null")
        parts += [("{" if i == 0 else ", ") + json.dumps(name) + ": ", value]
    if not parts:
        return pa.nulls(n, pa.string())
    parts[0] = parts[0] if parts[0].startswith("{") else "{" + parts[0][2:]
    return pc.binary_join_element_wise(*parts, "}", "")


def _raw_payload(ctx, chunk, keep, types: pa.Array) -> pa.Array:
    """JSON for rows that need it: the identifier type (if not device_id) and extra columns."""
    n = int(keep.sum())
    extras = ctx.extra_columns
    not_device = ~_bool_np(pc.equal(types, "device_id"))
    if not extras and not not_device.any():
        return pa.nulls(n, pa.string())
    type_list = types.to_pylist()
    extra_values = {c: chunk.columns[c].filter(pa.array(keep)).to_pylist() for c in extras}
    out = []
    for k in range(n):
        payload = {}
        if not_device[k]:
            payload["identifier_type"] = type_list[k]
        for c in extras:
            v = extra_values[c][k]
            if v not in (None, ""):
                payload[c] = v
        out.append(json.dumps(payload, default=str) if payload else None)
    return pa.array(out, pa.string())


def _quarantine_table(ctx, chunk: Chunk, verdicts: _Verdicts) -> pa.Table:
    idx = np.flatnonzero(~verdicts.open)
    numbers = chunk.row_numbers[idx].tolist()
    reasons = verdicts.reason[idx].tolist()
    details = verdicts.detail[idx].tolist()
    records = []
    if len(idx):
        originals = pa.table({c: chunk.columns[c] for c in ctx.file_columns if c in chunk.columns})
        for row in originals.take(pa.array(idx)).to_pylist():
            records.append(json.dumps(row, default=str).replace("\\u0000", "\\ufffd"))
    for number, text, why in chunk.malformed:
        numbers.append(number)
        reasons.append("malformed_row")
        details.append(why)
        records.append(json.dumps({"line": text[:2000]}).replace("\\u0000", "\\ufffd"))
    return pa.table(
        [pa.array(numbers, pa.int64()), pa.array(reasons), pa.array(details), pa.array(records, pa.string())],
        schema=QUARANTINE_SCHEMA,
    )


def summarize(reasons: Counter) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])) if v)
