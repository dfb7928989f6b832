"""`predelq load`: land telemetry and loan-book files in `raw`, row by row accounted for.

How a file is loaded (one database transaction per file):

1. Its SHA-256 is looked up in `raw.load_batches`: a file already loaded is
   skipped ("already loaded as batch ..."), so loading is idempotent.
2. It is read in chunks (pyarrow's streaming CSV reader, Parquet row batches,
   JSON lines in blocks), so memory stays bounded whatever the file size.
3. Each chunk is parsed and checked in Python (vectorised with pyarrow/numpy):
   missing and unparseable values, future timestamps, out-of-range values, enum
   values, and identifiers resolved through `raw.entity_identifiers` (telemetry)
   or `raw.accounts` (loan book). Rejected rows go to `raw.load_quarantine` with
   a reason and a readable detail; the others go to a temporary stage table
   (DuckDB: inserted from Arrow; PostgreSQL: COPY).
4. The stage is checked for duplicates in SQL (within the file, and against rows
   already in the target table), duplicates are quarantined, the rest is inserted
   into the raw table, and the batch row is written with rows_in = rows_loaded +
   rows_quarantined (checked before commit).

A file that cannot be read as a whole (unknown format, truncated Parquet, a
required column missing) is refused: nothing is written except a `refused` row
in `raw.load_batches` saying why.

Modules: `settings` (bounds and time zone), `specs` (what each kind of file must
hold), `readers` (streaming readers), `checks` (per-chunk validation), `store`
(SQL for DuckDB and PostgreSQL), `core` (one file, one transaction), `cli`.
"""
