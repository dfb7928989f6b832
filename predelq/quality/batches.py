"""The data each suite validates, as small pandas DataFrames (bounded whatever the table size).

Telemetry is read through a window on `ts` (the last `hours` before the latest
reading that is not in the future), which BRIN (PostgreSQL) and zone maps
(DuckDB) turn into a read of that window only; the latest reading is found by
probing growing windows back from now, so an index-less max over the whole table
is the last resort, not the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from predelq.loader.settings import LoaderSettings

TELEMETRY_COLUMNS = (
    "device_id, ts, cast(lat as double precision) as lat, cast(lon as double precision) as lon, "
    "cast(soc as double precision) as soc, cast(odometer as double precision) as odometer, "
    "cast(speed as double precision) as speed, is_charging, ingested_at"
)
EMPTY_SAMPLE = ["device_id", "ts", "lat", "lon", "soc", "odometer", "speed", "is_charging", "ingested_at"]


@dataclass
class Batch:
    frame: pd.DataFrame
    description: str


class Batches:
    def __init__(
        self,
        con,
        engine: str,
        settings: LoaderSettings,
        now: dt.datetime,
        hours: float = 24,
        sample_rows: int = 100_000,
        days: int = 8,
        max_rows: int = 1_000_000,
    ):
        self.con, self.engine, self.settings, self.now = con, engine, settings, now
        self.hours, self.sample_rows, self.days, self.max_rows = hours, sample_rows, days, max_rows
        self.latest_allowed = now + dt.timedelta(minutes=settings.max_clock_skew_minutes)
        self._anchor: dt.datetime | None | bool = False

    # --- plumbing -----------------------------------------------------------------
    def frame(self, sql: str, params=()) -> pd.DataFrame:
        if self.engine == "duckdb":
            return self.con.execute(sql.replace("%s", "?"), list(params)).df()
        with self.con.cursor() as cur:
            cur.execute(sql, tuple(params))
            cols = [d[0] for d in cur.description]
            return pd.DataFrame(cur.fetchall(), columns=cols)

    def value(self, sql: str, params=()):
        df = self.frame(sql, params)
        return None if df.empty else _py(df.iat[0, 0])

    # --- telemetry ------------------------------------------------------------------
    def anchor(self) -> dt.datetime | None:
        """The latest reading that is not in the future (None if there is none)."""
        if self._anchor is False:
            found = None
            for days in (2, 30, 400, None):
                sql = "select max(ts) from raw.raw_telemetry where ts <= %s"
                params = [self.latest_allowed]
                if days is not None:
                    sql += " and ts > %s"
                    params.append(self.now - dt.timedelta(days=days))
                found = self.value(sql, params)
                if found is not None:
                    break
            self._anchor = _utc(found)
        return self._anchor

    def _window(self) -> tuple[dt.datetime, dt.datetime] | None:
        anchor = self.anchor()
        return None if anchor is None else (anchor - dt.timedelta(hours=self.hours), anchor)

    def _window_text(self) -> str:
        w = self._window()
        if w is None:
            return "no telemetry"
        return f"readings from {w[0]:%Y-%m-%d %H:%M} to {w[1]:%Y-%m-%d %H:%M} UTC ({self.hours:g} h)"

    def telemetry_sample(self) -> Batch:
        w = self._window()
        if w is None:
            return Batch(pd.DataFrame(columns=EMPTY_SAMPLE), "raw_telemetry is empty")
        where = "ts > %s and ts <= %s"
        if self.engine == "duckdb":
            sql = (
                f"select * from (select {TELEMETRY_COLUMNS} from raw.raw_telemetry where {where}) "
                f"using sample reservoir({int(self.sample_rows)} rows) repeatable (42)"
            )
        else:
            self.frame("select setseed(0.42)")
            sql = (
                f"select {TELEMETRY_COLUMNS} from raw.raw_telemetry where {where} "
                f"order by random() limit {int(self.sample_rows)}"
            )
        df = self.frame(sql, w)
        return Batch(
            df, f"random sample of up to {self.sample_rows:,} {self._window_text()}: {len(df):,} rows"
        )

    def telemetry_window(self) -> Batch:
        w = self._window()
        readings = duplicates = 0
        last_ingest = None
        if w is not None:
            row = self.frame(
                "select count(*) as readings, max(ingested_at) as last_ingest "
                "from raw.raw_telemetry where ts > %s and ts <= %s",
                w,
            ).iloc[0]
            readings, last_ingest = int(row["readings"]), _utc(_py(row["last_ingest"]))
            duplicates = int(
                self.value(
                    "select coalesce(sum(n - 1), 0) from (select count(*) as n from raw.raw_telemetry "
                    "where ts > %s and ts <= %s group by device_id, ts having count(*) > 1) d",
                    w,
                )
                or 0
            )
        future = int(
            self.value("select count(*) from raw.raw_telemetry where ts > %s", [self.latest_allowed]) or 0
        )
        hours_since = None if last_ingest is None else (self.now - last_ingest).total_seconds() / 3600
        df = pd.DataFrame(
            {
                "readings": [readings],
                "duplicate_readings": [duplicates],
                "duplicate_pct": [100.0 * duplicates / readings if readings else 0.0],
                "future_readings": [future],
                "future_pct": [100.0 * future / readings if readings else 0.0],
                "last_ingest": [last_ingest],
                "hours_since_last_ingest": [hours_since],
            }
        )
        return Batch(df, f"aggregates over {self._window_text()}; future = stamped after now + clock skew")

    def telemetry_daily(self) -> Batch:
        anchor = self.anchor()
        columns = ["local_day", "readings", "median_previous_7", "ratio_to_median"]
        if anchor is None:
            return Batch(pd.DataFrame(columns=columns), "raw_telemetry is empty")
        tz = ZoneInfo(self.settings.local_timezone)
        anchor_day = anchor.astimezone(tz).date()
        first_day = anchor_day - dt.timedelta(days=self.days + 7)
        lo = dt.datetime.combine(first_day, dt.time(), tz).astimezone(dt.UTC)
        hi = dt.datetime.combine(anchor_day, dt.time(), tz).astimezone(dt.UTC)  # the anchor's day is partial
        counts = self.frame(
            f"select cast(ts at time zone '{self.settings.local_timezone}' as date) as local_day, "
            "count(*) as readings from raw.raw_telemetry where ts >= %s and ts < %s group by 1",
            [lo, hi],
        )
        days = pd.DataFrame({"local_day": pd.date_range(first_day, anchor_day - dt.timedelta(days=1)).date})
        counts["local_day"] = pd.to_datetime(counts["local_day"]).dt.date
        df = days.merge(counts, on="local_day", how="left").fillna({"readings": 0})
        df["readings"] = df["readings"].astype("int64")
        df["median_previous_7"] = df["readings"].shift(1).rolling(7, min_periods=3).median()
        df["ratio_to_median"] = df["readings"] / df["median_previous_7"].where(df["median_previous_7"] > 0)
        df = df.tail(self.days).reset_index(drop=True)
        return Batch(
            df[columns],
            f"readings per local day ({self.settings.local_timezone}), {self.days} full days before "
            f"{anchor_day}, each against the median of the 7 days before it",
        )

    # --- other tables -------------------------------------------------------------------
    def table(self, name: str) -> Batch:
        n = int(self.value(f"select count(*) from raw.{name}") or 0)
        if self.engine == "duckdb" and n > self.max_rows:
            df = self.frame(
                f"select * from (select * from raw.{name}) "
                f"using sample reservoir({self.max_rows} rows) repeatable (42)"
            )
            return Batch(_plain(df), f"raw.{name}: reservoir sample of {self.max_rows:,} of {n:,} rows")
        return Batch(_plain(self.frame(f"select * from raw.{name}")), f"raw.{name}: all {n:,} rows")

    def loan_book_dates(self) -> Batch:
        """Loan-book rows whose dates break the loader's bounds (predelq/loader/bounds.py)."""
        from predelq.loader import bounds

        latest = bounds.latest_day(
            self.now, self.settings.max_clock_skew_minutes, self.settings.local_timezone
        )
        frames = []
        for table in bounds.DATE_RULES:
            df = self.frame(
                f"select '{table}' as table_name, id, account_id, violation from "
                f"({bounds.violations_sql(table, self.engine)}) v where violation is not null",
                bounds.violations_params(table, latest),
            )
            frames.append(df)
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        df = df.astype({c: "object" for c in df.columns})
        return Batch(
            df,
            f"payments and repayment_schedule rows with a date out of bounds (before "
            f"{bounds.MIN_DATE}, after {latest}, before disbursement, after the loan term): {len(df)}",
        )

    def load_batches(self) -> Batch:
        df = self.frame(
            "select file_name, status, rows_in, rows_quarantined, "
            "case when rows_in > 0 then 100.0 * rows_quarantined / rows_in end as quarantine_pct, message "
            "from raw.load_batches where started_at >= %s order by started_at",
            [self.now - dt.timedelta(days=7)],
        )
        df["quarantine_pct"] = pd.to_numeric(df["quarantine_pct"], errors="coerce").astype("float64")
        return Batch(df, f"raw.load_batches of the last 7 days: {len(df)} files")


def _py(value):
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return None if value is pd.NaT or (isinstance(value, float) and pd.isna(value)) else value


def _utc(value) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Decimals and UUIDs as floats and strings, so pandas-based expectations compare plainly."""
    import decimal
    import uuid

    for col in df.columns:
        if df[col].dtype == object and len(df[col]):
            sample = df[col].dropna()
            first = sample.iloc[0] if len(sample) else None
            if isinstance(first, decimal.Decimal):
                df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
            elif isinstance(first, uuid.UUID):
                df[col] = df[col].map(lambda v: None if v is None else str(v))
    return df
