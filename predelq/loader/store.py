"""The loader's SQL on DuckDB and PostgreSQL: transactions, bulk writes, final checks.

Bulk writes: DuckDB inserts from an Arrow table registered on the connection;
PostgreSQL receives the Arrow table as CSV through `COPY ... FROM STDIN`. Both
write into a temporary stage table (`_load_stage`) inside the file's one
transaction, and `finish()` moves the rows to the raw table with one
INSERT ... SELECT after finding duplicates (within the file, and against rows
already in the table and, for telemetry, its archive).

PostgreSQL specifics, for speed: the stage holds numbers as `numeric` (parsed
once by COPY, not float then numeric) and timestamps as epoch microseconds
(Arrow formats timestamps as text slowly).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
import uuid

import pyarrow as pa
import pyarrow.csv as pacsv

from predelq import partitions
from predelq.landing import RAW_SCHEMA, RAW_TABLES, column_type
from predelq.loader.specs import FileSpec

TRACE = os.environ.get("PREDELQ_LOAD_TRACE", "") not in ("", "0")  # print each statement's time
STAGE = "_load_stage"
REJECTS = "_load_rejects"
AS_SENT = "_load_as_sent"  # the duplicates' rows as sent (JSON text), read again from the file
STAGE_TYPES = {
    "duckdb": {
        "timestamp": "timestamptz",
        "date": "date",
        "number": "double",
        "integer": "bigint",
        "bool": "boolean",
    },
    "postgres": {
        "timestamp": "bigint",
        "date": "date",
        "number": "numeric",
        "integer": "bigint",
        "bool": "boolean",
    },
}
PG_EPOCH = "timestamptz '1970-01-01 00:00:00+00'"


class Store:
    def __init__(self, con, engine: str):
        self.con = con
        self.engine = engine

    # --- plumbing ------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self.engine == "duckdb" else sql

    def execute(self, sql: str, params=()) -> int:
        """Run one statement; the number of rows it changed (-1 if not applicable)."""
        if not TRACE:
            return self._execute(sql, params)
        t0 = time.perf_counter()
        try:
            return self._execute(sql, params)
        finally:
            print(
                f"[load sql {time.perf_counter() - t0:6.2f} s] {' '.join(sql.split())[:160]}", file=sys.stderr
            )

    def _execute(self, sql: str, params=()) -> int:
        if self.engine == "duckdb":
            res = self.con.execute(self._sql(sql), list(params))
            if sql.lstrip().lower().startswith(("insert", "update", "delete")):
                row = res.fetchone()
                return int(row[0]) if row else 0
            return -1
        with self.con.cursor() as cur:
            cur.execute(sql, tuple(params))
            return cur.rowcount

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.engine == "duckdb":
            return self.con.execute(self._sql(sql), list(params)).fetchall()
        with self.con.cursor() as cur:
            cur.execute(sql, tuple(params))
            return cur.fetchall()

    def begin(self) -> None:
        if self.engine == "duckdb":
            self.con.execute("begin transaction")
        else:
            self.con.rollback()  # psycopg2 opens the transaction on the first statement
            self.execute("set local work_mem = '256MB'")

    def commit(self) -> None:
        self.con.commit()

    def rollback(self) -> None:
        with contextlib.suppress(Exception):  # nothing open (DuckDB) is fine
            self.con.rollback()

    def lock_file_hash(self, sha256: str) -> None:
        """PostgreSQL: serialise concurrent loads of the same file (DuckDB allows one writer)."""
        if self.engine == "postgres":
            self.execute("select pg_advisory_xact_lock(%s)", (int(sha256[:15], 16),))

    def lock_table(self, space: int, key: int) -> None:
        """PostgreSQL: serialise writers of one raw table until commit (DuckDB has one writer)."""
        if self.engine == "postgres":
            self.execute("select pg_advisory_xact_lock(%s, %s)", (space, key))

    def append(self, table: str, data: pa.Table, casts: dict[str, str] | None = None) -> None:
        """Bulk-append an Arrow table to `table` (columns by name)."""
        if data.num_rows == 0:
            return
        cols = data.column_names
        if self.engine == "duckdb":
            # the relation API, not register(): a view registered inside a transaction keeps
            # its Arrow buffers alive until commit, so memory would grow with the file.
            # insert_into is positional: `data` has the table's columns in order.
            exprs = ", ".join(f"cast({c} as {casts[c]}) as {c}" if casts and c in casts else c for c in cols)
            self.con.from_arrow(data).project(exprs).insert_into(table)
            return
        buf = io.BytesIO()
        pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False))
        buf.seek(0)
        with self.con.cursor() as cur:
            cur.copy_expert(f"copy {table} ({', '.join(cols)}) from stdin with (format csv)", buf)

    # --- the stage ---------------------------------------------------------------
    def create_stage(self, spec: FileSpec) -> None:
        types = STAGE_TYPES[self.engine]
        cols = ", ".join(f"{name} {types.get(kind, 'text')}" for name, kind in spec.stage_columns)
        suffix = " on commit drop" if self.engine == "postgres" else ""
        self.execute(f"drop table if exists {STAGE}")
        self.execute(f"drop table if exists {REJECTS}")
        self.execute(f"drop table if exists {AS_SENT}")
        self.execute(f"create temporary table {AS_SENT} (row_no bigint not null, record text){suffix}")
        self.execute(f"create temporary table {STAGE} (row_no bigint not null, {cols}){suffix}")

    def append_stage(self, data: pa.Table) -> None:
        if self.engine == "postgres":  # epoch microseconds: see the module docstring
            for i, f in enumerate(data.schema):
                if pa.types.is_timestamp(f.type):
                    data = data.set_column(i, f.name, data.column(i).cast(pa.int64()))
        self.append(STAGE, data)

    def drop_stage(self) -> None:
        if self.engine == "duckdb":
            self.execute(f"drop table if exists {STAGE}")
            self.execute(f"drop table if exists {REJECTS}")
            self.execute(f"drop table if exists {AS_SENT}")

    def typed(self, name: str, kind: str, alias: str = "s") -> str:
        """SQL for a stage column as its real type."""
        if self.engine == "postgres" and kind == "timestamp":
            return f"({PG_EPOCH} + {alias}.{name} * interval '1 microsecond')"
        return f"{alias}.{name}"

    # --- the end of a file -----------------------------------------------------
    def finish(self, spec: FileSpec, batch_id: str, loaded_at, as_sent=None) -> tuple[int, int]:
        """Quarantine duplicates and insert the rest: (rows loaded, duplicates quarantined).

        `as_sent(row_numbers)`: Arrow tables (row_no, record) of those rows as sent, so the
        quarantine keeps duplicates as sent (read again from the file only when there are
        duplicates; loads without any pay nothing). Without it, the parsed values are kept.
        """
        if self.engine == "postgres":
            self.execute(f"analyze {STAGE}")
        kinds = dict(spec.stage_columns)
        self._find_duplicates(spec, kinds)
        if as_sent is not None:
            import numpy as np

            rows = self.query(f"select row_no from {REJECTS}")
            if rows:
                for data in as_sent(np.array([r[0] for r in rows], dtype="int64")):
                    self.append(AS_SENT, data)
        duplicates = self.execute(
            f"insert into {RAW_SCHEMA}.load_quarantine "
            "(load_batch_id, target_table, row_number, reason, detail, record, quarantined_at) "
            f"select cast(%s as uuid), %s, s.row_no, 'duplicate', r.detail, {self._record_json(spec)}, %s "
            f"from {STAGE} s join {REJECTS} r on r.row_no = s.row_no "
            f"left join {AS_SENT} w on w.row_no = s.row_no",
            (batch_id, spec.table, loaded_at),
        )
        types = {c: t for c, t, _ in RAW_TABLES[spec.table]}
        target_cols, exprs, params = [], [], []
        if "id" in types and "id" not in kinds:
            target_cols.append("id")
            exprs.append("gen_random_uuid()")
        for c, kind in spec.stage_columns:
            if c in types:
                target_cols.append(c)
                exprs.append(f"cast({self.typed(c, kind)} as {column_type(types[c], self.engine)})")
        for c, value in (("ingested_at", loaded_at), ("load_batch_id", batch_id)):
            if c in types:
                target_cols.append(c)
                exprs.append(f"cast(%s as {column_type(types[c], self.engine)})")
                params.append(value)
        if self.engine == "postgres" and spec.table in partitions.TABLES:
            self._ensure_partitions(spec, kinds)
        # no ORDER BY: the stage is scanned in file order (time order for feeds), which keeps
        # DuckDB zone maps and PostgreSQL BRIN ranges tight; sorting cost more than it saved
        return self.execute(
            f"insert into {RAW_SCHEMA}.{spec.table} ({', '.join(target_cols)}) "
            f"select {', '.join(exprs)} from {STAGE} s "
            f"where not exists (select 1 from {REJECTS} r where r.row_no = s.row_no)",
            params,
        ), duplicates

    def _ensure_partitions(self, spec: FileSpec, kinds: dict[str, str]) -> None:
        """PostgreSQL: the daily partitions of the batch's readings, before it is copied in."""
        ts = self.typed("ts", kinds["ts"])
        low, high = self.query(f"select min({ts}), max({ts}) from {STAGE} s")[0]
        with self.con.cursor() as cur:
            partitions.ensure_days(cur, spec.table, low, high)

    def _find_duplicates(self, spec: FileSpec, kinds: dict[str, str]) -> None:
        """_load_rejects(row_no, detail): later copies of a key in the file, keys already loaded."""
        span, span_params = "", []
        if spec.range_column:
            col = self.typed(spec.range_column, kinds[spec.range_column])
            low, high = self.query(f"select min({col}), max({col}) from {STAGE} s")[0]
            span = f" and t.{spec.range_column} between %s and %s"
            span_params = [low, high]
        selects, params = [], []
        for rank, key in enumerate(spec.keys):
            on = " and ".join(f"s.{k} = d.{k}" for k in key)
            keys = ", ".join(key)
            # the detail of the first key (in spec order) a row breaks: "<rank>|detail", stripped below
            selects.append(
                f"select s.row_no, '{rank}|same {keys} as row ' || cast(d.first_row as varchar(20)) "
                "as detail "
                f"from {STAGE} s join (select {keys}, min(row_no) as first_row from {STAGE} "
                f"group by {keys} having count(*) > 1) d on {on} where s.row_no <> d.first_row"
            )
            for table in (spec.table, *spec.also_check):
                types = {c: t for c, t, _ in RAW_TABLES[table]}
                match = " and ".join(
                    f"t.{k} = cast({self.typed(k, kinds[k])} as {column_type(types[k], self.engine)})"
                    for k in key
                )
                selects.append(
                    f"select s.row_no, '{rank}|already loaded: same {keys} in {RAW_SCHEMA}.{table}' "
                    "as detail "
                    f"from {STAGE} s where exists (select 1 from {RAW_SCHEMA}.{table} t where {match}{span})"
                )
                params += span_params
        union = " union all ".join(selects)
        self.execute(
            f"create temporary table {REJECTS} as select row_no, "
            f"substr(min(detail), strpos(min(detail), '|') + 1) as detail "
            f"from ({union}) r group by row_no",
            params,
        )

    def _record_json(self, spec: FileSpec) -> str:
        pairs = ", ".join(
            f"'{n}', {self.typed(n, kind)}" for n, kind in spec.stage_columns if n != "raw_payload"
        )
        if self.engine == "duckdb":
            return f"coalesce(cast(w.record as json), json_object({pairs}))"
        return f"coalesce(cast(w.record as jsonb), cast(json_build_object({pairs}) as jsonb))"

    def append_quarantine(self, data: pa.Table, batch_id: str, table: str, loaded_at) -> None:
        if data.num_rows == 0:
            return
        n = data.num_rows
        full = pa.table(
            {
                "load_batch_id": pa.array([batch_id] * n, pa.string()),
                "target_table": pa.array([table] * n, pa.string()),
                "row_number": data.column("row_number"),
                "reason": data.column("reason"),
                "detail": data.column("detail"),
                "record": data.column("record"),
                "quarantined_at": pa.array([loaded_at.isoformat()] * n, pa.string()),
            }
        )
        self.append(
            f"{RAW_SCHEMA}.load_quarantine",
            full,
            casts={"load_batch_id": "uuid", "record": "json", "quarantined_at": "timestamptz"},
        )


def new_id() -> str:
    return str(uuid.uuid4())
