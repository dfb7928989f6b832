"""`predelq check`: great-expectations suites on the raw tables.

What is validated, and how it stays cheap on a 100 M-row telemetry table:

* `raw_telemetry_sample`: row-level expectations (nulls, ranges) on a random
  sample (default 100,000 rows) of the readings of the last 24 hours before the
  latest non-future reading. The window is found through BRIN-friendly probes
  on PostgreSQL (`ts > now() - 2 days`, then wider) and read once; the sample is
  validated as a pandas DataFrame on both engines.
* `raw_telemetry_window`: one row of SQL aggregates over that same window
  (readings, duplicate readings, future readings, hours since the last ingest).
* `raw_telemetry_daily`: readings per local day for the last 8 days, each
  compared with the median of the 7 days before it (row-count anomalies).
* loan-book and master tables (`payments`, `repayment_schedule`, `accounts`,
  `assets`, `entity_identifiers`): whole tables, which are small. On PostgreSQL
  through great-expectations' SQL data source (the database computes each
  metric); on DuckDB read into pandas (the GX SQL data source fails on
  duck-db-engine), capped by a reservoir sample above `--max-rows`.
* `load_batches`: the loader's batches of the last 7 days (refusals, quarantine rate).

Every expectation carries a severity (`critical` or `warning`) in its meta.
Results go to `ops.data_quality_checks` (one row per expectation per run) and
to the static Data Docs site; a failed critical expectation makes the command
exit 1 with a summary. Modules: `suites` (what is expected), `batches` (the
data each suite sees), `runner` (great-expectations, results, docs), `cli`.
"""
