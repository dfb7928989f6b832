"""Load one file in one transaction; load many files one after the other."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from predelq.landing import RAW_SCHEMA, all_ddl
from predelq.loader.readers import Refused, file_format, open_reader
from predelq.loader.settings import LoaderSettings
from predelq.loader.store import TRACE

# PostgreSQL advisory lock keys (two-int form: a space apart from the file-hash locks)
LOCK_SPACE = 1_349_542_225  # "PREDELQ" as a number, any constant works
DDL_LOCK = 1  # creating the raw schema, tables and indexes
TABLE_LOCKS = {"raw_telemetry": 2, "payments": 3, "repayment_schedule": 4}

EXTRA_DDL = {
    "postgres": [
        "create index if not exists load_batches_sha256 on raw.load_batches (file_sha256)",
        "create index if not exists load_quarantine_batch on raw.load_quarantine (load_batch_id)",
    ],
    "duckdb": [],
}


@dataclass
class LoadResult:
    file: Path
    status: str  # loaded, skipped, refused, ignored
    batch_id: str | None = None
    table: str | None = None
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)
    message: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        name = self.file.name
        if self.status == "loaded":
            q = f" ({_summary(self.reasons)})" if self.rows_quarantined else ""
            return (
                f"loaded {name} -> {RAW_SCHEMA}.{self.table}: {self.rows_in:,} rows in, "
                f"{self.rows_loaded:,} loaded, {self.rows_quarantined:,} quarantined{q} "
                f"in {self.seconds:.1f} s [batch {self.batch_id}]"
            )
        if self.status == "skipped":
            return f"skipped {name}: {self.message}"
        if self.status == "ignored":
            return f"ignored {self.file}: {self.message}"
        return f"refused {name}: {self.message}"


def _summary(reasons: Counter) -> str:
    from predelq.loader.checks import summarize

    return summarize(reasons)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


REFUSED_FOLDER = "refused"  # refused files of a folder load are moved here, with a .reason.txt


def list_files(paths: list[Path]) -> list[Path]:
    """Files to load: the given files, and every file at the top level of given folders (sorted
    by name; hidden files left out). A file of an unsupported type (.xlsx, .csv.bz2...) is listed
    too: loading refuses it with the reason, so it is never skipped silently."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
        elif p.exists():
            out.append(p)
        else:
            from predelq.errors import UserError

            raise UserError(f"no such file or folder: {p}")
    return out


def nested_files(paths: list[Path]) -> list[Path]:
    """Files in subfolders of given folders (not loaded: reported as ignored), except the
    refused folder's."""
    out: list[Path] = []
    for p in paths:
        if not p.is_dir():
            continue
        for sub in sorted(d for d in p.iterdir() if d.is_dir() and not d.name.startswith(".")):
            if sub.name == REFUSED_FOLDER:
                continue
            out += sorted(f for f in sub.rglob("*") if f.is_file() and not f.name.startswith("."))
    return out


def ensure_tables(con, engine: str) -> None:
    """Create the raw tables if missing. PostgreSQL: under an advisory lock, so that two first
    loads on a new database do not both create the same index (or schema) at once."""
    from predelq.db import execute_all

    lock = [f"select pg_advisory_xact_lock({LOCK_SPACE}, {DDL_LOCK})"] if engine == "postgres" else []
    execute_all(con, lock + all_ddl(engine, include_truth=False) + EXTRA_DDL[engine])


class Loader:
    """Loads files into one warehouse connection, one transaction per file."""

    def __init__(
        self, con, engine: str, settings: LoaderSettings | None = None, progress: bool | None = None
    ):
        from predelq.loader.store import Store

        self.store = Store(con, engine)
        self.engine = engine
        self.settings = settings or LoaderSettings.from_env()
        self.progress = progress

    def load(self, path: Path, kind: str | None = None, retry_refused: bool = False) -> LoadResult:
        started = dt.datetime.now(dt.UTC)
        sha = sha256_of(path)
        store = self.store
        store.begin()
        try:
            store.lock_file_hash(sha)
            earlier = self._earlier(sha)
            loaded_before = [r for r in earlier if r[1] == "loaded"]
            if loaded_before:
                store.rollback()
                b = loaded_before[0]
                when = b[5].isoformat(timespec="seconds") if b[5] else "?"
                return LoadResult(
                    path,
                    "skipped",
                    batch_id=str(b[0]),
                    message=f"already loaded as batch {b[0]} at {when} ({b[2]:,} rows in, {b[3]:,} loaded, "
                    f"{b[4]:,} quarantined); nothing added",
                )
            if earlier and not retry_refused:
                # still refused: the file stays this run's failure (exit 1) until it is
                # fixed, removed from the inbox or loaded with --retry-refused
                store.rollback()
                b = earlier[0]
                return LoadResult(
                    path,
                    "refused",
                    batch_id=str(b[0]),
                    message=f"refused earlier as batch {b[0]}: {b[6]} "
                    "(same content; fix or remove the file, or --retry-refused to try again)",
                )
            result = self._load_rows(path, sha, kind, started)
            store.commit()
            return result
        except Refused as exc:
            store.rollback()
            return self._record_refusal(path, sha, str(exc), started)
        except Exception as exc:  # noqa: BLE001 - one file's failure is that file's failure
            store.rollback()
            if _connection_lost(self.store.con, self.engine):
                raise
            why = f"cannot load the file: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            return self._record_refusal(path, sha, why, started)
        except BaseException:
            store.rollback()
            raise
        finally:
            with contextlib.suppress(Exception):  # the connection may be gone
                store.drop_stage()

    def _earlier(self, sha: str) -> list[tuple]:
        return self.store.query(
            f"select id, status, rows_in, rows_loaded, rows_quarantined, completed_at, message "
            f"from {RAW_SCHEMA}.load_batches where file_sha256 = %s "
            "order by case when status = 'loaded' then 0 else 1 end, started_at desc",
            (sha,),
        )

    def _record_refusal(self, path: Path, sha: str, message: str, started) -> LoadResult:
        from predelq.loader.store import new_id

        batch_id = new_id()
        try:
            fmt = file_format(path)
        except Refused:
            fmt = None
        self.store.begin()
        try:
            self._write_batch(
                batch_id,
                path,
                sha,
                fmt,
                getattr(self, "_table", None),
                "refused",
                None,
                None,
                None,
                message,
                started,
            )
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        return LoadResult(path, "refused", batch_id=batch_id, message=message)

    def _write_batch(
        self, batch_id, path, sha, fmt, table, status, rows_in, loaded, quarantined, message, started
    ):
        self.store.execute(
            f"insert into {RAW_SCHEMA}.load_batches (id, file_name, file_path, file_sha256, file_bytes, "
            "file_format, target_table, status, rows_in, rows_loaded, rows_quarantined, message, "
            "started_at, completed_at) "
            "values (cast(%s as uuid), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                batch_id,
                path.name,
                str(path.resolve()),
                sha,
                path.stat().st_size,
                fmt,
                table,
                status,
                rows_in,
                loaded,
                quarantined,
                message,
                started,
                dt.datetime.now(dt.UTC),
            ),
        )

    def _load_rows(self, path: Path, sha: str, kind: str | None, started) -> LoadResult:
        from predelq.loader import checks, specs
        from predelq.loader.store import new_id

        self._table = None
        store, settings = self.store, self.settings
        bar = _progress_bar(path, self.progress)
        try:
            reader = open_reader(path, bar.update, settings.chunk_bytes, settings.chunk_rows)
            if getattr(reader, "total_rows", None) is not None:
                bar.reset(total=reader.total_rows)
                bar.unit, bar.unit_scale = "rows", True
            spec = specs.detect(path.name, reader.columns, kind)
            self._table = spec.table
            missing = specs.missing_columns(spec, reader.columns)
            if missing:
                raise Refused(
                    f"missing required column(s) for a {spec.kind} file: {', '.join(missing)} "
                    f"(the file has: {', '.join(reader.columns)})"
                )
            batch_id = new_id()
            ctx = checks.CheckContext(spec, settings, started, reader.columns)
            self._load_reference(ctx)
            store.create_stage(spec)
            rows_in = quarantined = 0
            for number, chunk in enumerate(reader.chunks(), start=1):
                stage, quarantine = checks.check_chunk(ctx, chunk)
                rows_in += chunk.num_rows + len(chunk.malformed)
                quarantined += quarantine.num_rows
                store.append_stage(stage)
                store.append_quarantine(quarantine, batch_id, spec.table, started)
                if TRACE:
                    print(f"[load chunk {number}: {rows_in} rows read]", file=sys.stderr, flush=True)
        finally:
            bar.close()
        if self.progress is not False and sys.stderr.isatty():
            print(
                f"  {path.name}: checking duplicates and writing {RAW_SCHEMA}.{spec.table}...",
                file=sys.stderr,
            )
        # PostgreSQL: loads into the same table serialise from here to commit, so that the
        # duplicate check below sees every row a concurrent load has written (committed)
        store.lock_table(LOCK_SPACE, TABLE_LOCKS.get(spec.table, 0))
        loaded, duplicates = store.finish(
            spec, batch_id, started, as_sent=lambda wanted: self._as_sent(path, wanted, reader.columns)
        )
        ctx.reasons["duplicate"] += duplicates
        quarantined += duplicates
        self._reconcile(batch_id, spec, rows_in, loaded, quarantined)
        ignored = ctx.extra_columns if spec.reference != "asset_identifier" else []
        message = checks.summarize(ctx.reasons) or "all rows loaded"
        if ignored:
            message += f"; ignored column(s): {', '.join(ignored)}"
        self._write_batch(
            batch_id,
            path,
            sha,
            file_format(path),
            spec.table,
            "loaded",
            rows_in,
            loaded,
            quarantined,
            message,
            started,
        )
        seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
        return LoadResult(
            path,
            "loaded",
            batch_id=batch_id,
            table=spec.table,
            rows_in=rows_in,
            rows_loaded=loaded,
            rows_quarantined=quarantined,
            reasons=+ctx.reasons,
            message=message,
            seconds=seconds,
        )

    def _as_sent(self, path: Path, wanted, columns: list[str]):
        """(row_no, record) Arrow tables of the rows numbered `wanted`, as the file holds them."""
        import numpy as np
        import pyarrow as pa

        from predelq.loader.checks import raw_records

        settings = self.settings
        reader = open_reader(path, lambda n: None, settings.chunk_bytes, settings.chunk_rows)
        for chunk in reader.chunks():
            mask = np.isin(chunk.row_numbers, wanted)
            if mask.any():
                yield pa.table(
                    {
                        "row_no": pa.array(chunk.row_numbers[mask], pa.int64()),
                        "record": raw_records(columns, chunk.columns, pa.array(mask)),
                    }
                )

    def _load_reference(self, ctx) -> None:
        from predelq.loader import checks

        store = self.store
        if ctx.spec.reference == "asset_identifier":
            rows = store.query(
                f"select identifier_type, identifier_value, cast(entity_id as varchar), valid_from, valid_to "
                f"from {RAW_SCHEMA}.entity_identifiers where entity_type = 'asset' "
                "and identifier_type in ('device_id', 'vin', 'registration')"
            )
            ctx.assets = checks.AssetIdentifiers(rows, self.settings.local_timezone)
        else:
            import numpy as np
            import pyarrow as pa

            from predelq.loader import bounds

            rows = store.query(
                f"select cast(id as varchar), disbursement_date, maturity_date, tenure_months "
                f"from {RAW_SCHEMA}.accounts"
            )
            ctx.account_ids = pa.array([r[0].lower() for r in rows], pa.string())
            epoch = dt.date(1970, 1, 1)
            never = np.iinfo("int64").max
            ctx.account_disbursed = np.array(
                [(r[1] - epoch).days if r[1] is not None else -1 for r in rows], dtype="int64"
            )
            ends = [bounds.term_end(r[1], r[2], r[3]) for r in rows]
            ctx.account_term_end = np.array(
                [(e - epoch).days if e is not None else never for e in ends], dtype="int64"
            )

    def _reconcile(self, batch_id: str, spec, rows_in: int, loaded: int, quarantined: int) -> None:
        """rows_in = loaded + quarantined, also as the database sees it; else roll back."""
        in_db_q = self.store.query(
            f"select count(*) from {RAW_SCHEMA}.load_quarantine where load_batch_id = cast(%s as uuid)",
            (batch_id,),
        )[0][0]
        problems = []
        if rows_in != loaded + quarantined:
            problems.append(f"rows in {rows_in} != loaded {loaded} + quarantined {quarantined}")
        if in_db_q != quarantined:
            problems.append(f"quarantine holds {in_db_q} rows for the batch, expected {quarantined}")
        if spec.table == "raw_telemetry":
            in_db = self.store.query(
                f"select count(*) from {RAW_SCHEMA}.raw_telemetry where load_batch_id = cast(%s as uuid)",
                (batch_id,),
            )[0][0]
            if in_db != loaded:
                problems.append(f"raw_telemetry holds {in_db} rows for the batch, expected {loaded}")
        if problems:
            raise RuntimeError("row accounting failed, nothing written: " + "; ".join(problems))


def _connection_lost(con, engine: str) -> bool:
    """True when the connection can no longer be used (then the error is not the file's)."""
    if engine == "postgres":
        return bool(getattr(con, "closed", 0))
    try:
        con.execute("select 1").fetchall()
        return False
    except Exception:  # noqa: BLE001
        return True


class _NoBar:
    def update(self, n=1):
        pass

    def reset(self, total=None):
        pass

    def close(self):
        pass


def _progress_bar(path: Path, enabled: bool | None):
    if enabled is False or (enabled is None and not sys.stderr.isatty()):
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name, leave=False, file=sys.stderr
    )


def connect(target):
    """target.connect(), or a UserError that says in one line why not."""
    from predelq.errors import UserError

    try:
        return target.connect()
    except Exception as exc:  # noqa: BLE001 - turned into one clear line
        msg = " ".join(str(exc).split())
        if "lock" in msg.lower():
            msg += " (another process has the DuckDB file open: stop it or wait)"
        raise UserError(f"cannot open {target.describe()}: {msg}") from exc
