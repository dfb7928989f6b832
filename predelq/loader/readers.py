"""Streaming readers for CSV (optionally gzipped), Parquet and JSON lines.

Every reader exposes `columns` (the file's column names, lower-cased, known
before any row is read) and `chunks()`, which yields `Chunk`s of at most a few
megabytes: the column values as Arrow arrays, the 1-based record number of each
row in the file, and the records that could not be split into columns
(`malformed`: record number and text). A file that cannot be read at all raises
`Refused`, whose message is the one-line reason stored in `raw.load_batches`.

Record numbers: CSV = data line (line number minus the header), JSON lines =
line number, Parquet = row number. They identify quarantined rows.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


class Refused(Exception):
    """The file as a whole cannot be loaded; the message says why."""


@dataclass
class Chunk:
    columns: dict[str, pa.Array]
    row_numbers: np.ndarray  # int64, one per row of `columns`
    malformed: list[tuple[int, str, str]] = field(default_factory=list)  # (number, text, why)

    @property
    def num_rows(self) -> int:
        return len(self.row_numbers)


FORMATS = {
    ".csv": "csv",
    ".csv.gz": "csv.gz",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".jsonl.gz": "jsonl.gz",
}


def file_format(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix]
    known = ", ".join(sorted(FORMATS))
    raise Refused(f"unsupported file type {path.suffix or '(none)'!r}: use one of {known}")


def open_reader(path: Path, progress: Callable[[int], None], chunk_bytes: int, chunk_rows: int):
    """The reader for `path`; `progress(n)` is called with bytes (or rows) consumed."""
    fmt = file_format(path)
    if path.stat().st_size == 0:
        raise Refused("empty file (0 bytes)")
    if fmt.startswith("csv"):
        return CsvReader(path, fmt.endswith(".gz"), progress, chunk_bytes)
    if fmt == "parquet":
        return ParquetReader(path, progress, chunk_rows)
    return JsonLinesReader(path, fmt.endswith(".gz"), progress, chunk_rows)


def _unique_lower(names: list[str]) -> list[str]:
    out = [str(n).strip().lower() for n in names]
    dupes = sorted({n for n in out if out.count(n) > 1})
    if dupes:
        raise Refused(f"duplicate column name(s) in the header: {', '.join(dupes)}")
    if not any(out):
        raise Refused("no header row (first line is empty)")
    return out


class _CountingFile(io.RawIOBase):
    """A read-only file that reports how many bytes were read (for the progress bar)."""

    def __init__(self, fh, progress: Callable[[int], None]):
        self._fh = fh
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self._fh.readinto(b)
        if n:
            self._progress(n)
        return n

    def close(self) -> None:
        self._fh.close()
        super().close()


class CsvReader:
    """pyarrow's streaming CSV reader, every column read as text (parsed later)."""

    format = "csv"

    def __init__(self, path: Path, gzipped: bool, progress, chunk_bytes: int):
        self.path, self.gzipped, self.progress, self.chunk_bytes = path, gzipped, progress, chunk_bytes
        try:
            opener = gzip.open if gzipped else open
            # utf-8-sig: a byte-order mark (spreadsheets write one) is not part of the first name
            with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
                header = fh.readline()
        except (OSError, UnicodeDecodeError, EOFError, zlib.error) as exc:
            what = "gzipped CSV file (damaged archive?)" if gzipped else "CSV file"
            raise Refused(f"not a readable {what}: {_short(exc)}") from exc
        if "\x00" in header:
            raise Refused("not a CSV file (binary content in the first line)")
        import csv

        self.raw_columns = next(csv.reader([header]), [])
        self.columns = _unique_lower(self.raw_columns)

    def chunks(self) -> Iterator[Chunk]:
        pending: list[tuple[int | None, str, str]] = []

        def on_invalid(row) -> str:
            why = f"{row.actual_columns} field(s) where the header has {row.expected_columns}"
            pending.append((row.number, row.text, why))
            return "skip"

        raw = open(self.path, "rb")  # noqa: SIM115 - closed in finally
        try:
            source = pa.PythonFile(_CountingFile(raw, self.progress), mode="r")
            if self.gzipped:
                source = pa.CompressedInputStream(source, "gzip")
            reader = pacsv.open_csv(
                source,
                read_options=pacsv.ReadOptions(block_size=self.chunk_bytes, use_threads=False),
                # blank lines are read (as rows of empty values, dropped below) so that
                # record numbers stay data line numbers after a blank line
                parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in self.raw_columns},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            bad_numbers: set[int] = set()
            next_number = 1
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                malformed = _drain(pending, bad_numbers)
                numbers = _assign_numbers(next_number, batch.num_rows, bad_numbers)
                if len(numbers):
                    next_number = int(numbers[-1]) + 1
                cols = {name: batch.column(i) for i, name in enumerate(self.columns)}
                blank = _blank_rows(cols, batch.num_rows)
                if blank is not None:
                    keep = pa.array(~blank)
                    cols = {name: arr.filter(keep) for name, arr in cols.items()}
                    numbers = numbers[~blank]
                yield Chunk(cols, numbers, malformed)
            rest = _drain(pending, bad_numbers)
            if rest:
                yield Chunk(
                    {name: pa.array([], pa.string()) for name in self.columns}, np.array([], "int64"), rest
                )
        except (pa.ArrowInvalid, pa.ArrowIOError, EOFError, OSError, UnicodeDecodeError, zlib.error) as exc:
            what = "gzipped CSV (damaged archive?)" if self.gzipped else "CSV"
            raise Refused(f"cannot read the file as {what}: {_short(exc)}") from exc
        finally:
            raw.close()


def _blank_rows(cols: dict[str, pa.Array], n: int):
    """Mask of rows whose every field is empty (blank lines), or None if there are none."""
    import pyarrow.compute as pc

    if not n or not cols:
        return None
    mask = None
    for arr in cols.values():
        empty = pc.fill_null(pc.equal(arr, ""), True)
        mask = empty if mask is None else pc.and_(mask, empty)
    out = np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
    return out if out.any() else None


def _drain(pending: list, bad_numbers: set[int]) -> list[tuple[int, str, str]]:
    out = []
    for line_number, text, why in pending:
        if line_number is None:  # unknown position: after everything read so far
            line_number = max(bad_numbers, default=0) + 10**12
        record = line_number - 1  # the header is line 1
        bad_numbers.add(record)
        out.append((record, text, why))
    pending.clear()
    return out


def _assign_numbers(start: int, n: int, skip: set[int]) -> np.ndarray:
    """The next n record numbers from `start`, leaving out malformed ones."""
    if not n:
        return np.array([], dtype="int64")
    ahead = sum(1 for s in skip if s >= start)
    candidates = np.arange(start, start + n + ahead, dtype="int64")
    if ahead:
        candidates = candidates[~np.isin(candidates, np.fromiter(skip, "int64"))]
    return candidates[:n]


class ParquetReader:
    format = "parquet"

    def __init__(self, path: Path, progress, chunk_rows: int):
        self.progress, self.chunk_rows = progress, chunk_rows
        try:
            self.file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
            raise Refused(f"not a readable Parquet file (truncated or corrupt?): {_short(exc)}") from exc
        self.columns = _unique_lower(self.file.schema_arrow.names)
        self.total_rows = self.file.metadata.num_rows

    def chunks(self) -> Iterator[Chunk]:
        done = 0
        try:
            for batch in self.file.iter_batches(batch_size=self.chunk_rows):
                numbers = np.arange(done + 1, done + batch.num_rows + 1, dtype="int64")
                done += batch.num_rows
                self.progress(batch.num_rows)
                cols = {name: batch.column(i) for i, name in enumerate(self.columns)}
                yield Chunk(cols, numbers)
        except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
            raise Refused(f"Parquet file is corrupt after row {done}: {_short(exc)}") from exc


class JsonLinesReader:
    """One JSON object per line; each line parsed on its own, so one bad line is one bad row."""

    format = "jsonl"

    def __init__(self, path: Path, gzipped: bool, progress, chunk_rows: int):
        self.path, self.gzipped, self.progress, self.chunk_rows = path, gzipped, progress, chunk_rows
        self.columns = []
        try:
            with self._open() as fh:
                for line in fh:
                    if line.strip():
                        first = json.loads(line)
                        if isinstance(first, dict):
                            self.columns = _unique_lower(list(first))
                        break
        except (OSError, UnicodeDecodeError, EOFError, zlib.error) as exc:
            raise Refused(f"not a readable JSON lines file: {_short(exc)}") from exc
        except json.JSONDecodeError as exc:
            raise Refused(f"not a JSON lines file: first line is not JSON ({exc.msg})") from exc
        if not self.columns:
            raise Refused("not a JSON lines file: the first record is not a JSON object")

    def _open(self):
        if self.gzipped:
            return gzip.open(self.path, "rt", encoding="utf-8-sig")
        return open(self.path, encoding="utf-8-sig")  # noqa: SIM115 - caller closes

    def chunks(self) -> Iterator[Chunk]:
        try:
            with self._open() as fh:
                rows: list[dict] = []
                numbers: list[int] = []
                malformed: list[tuple[int, str, str]] = []
                for line_number, line in enumerate(fh, start=1):
                    self.progress(len(line))
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                        why = "" if isinstance(obj, dict) else "the line is JSON but not an object"
                    except json.JSONDecodeError as exc:
                        why = f"invalid JSON ({exc.msg})"
                    if why:
                        malformed.append((line_number, line.rstrip("\n")[:2000], why))
                        continue
                    rows.append({str(k).strip().lower(): v for k, v in obj.items()})
                    numbers.append(line_number)
                    if len(rows) >= self.chunk_rows:
                        yield self._chunk(rows, numbers, malformed)
                        rows, numbers, malformed = [], [], []
                if rows or malformed:
                    yield self._chunk(rows, numbers, malformed)
        except (OSError, UnicodeDecodeError, EOFError, zlib.error) as exc:
            raise Refused(f"cannot read the JSON lines file: {_short(exc)}") from exc

    def _chunk(self, rows, numbers, malformed) -> Chunk:
        names = list(self.columns)
        for row in rows:
            for k in row:
                if k not in names:
                    names.append(k)
        cols = {name: pa.array([_as_text(r.get(name)) for r in rows], pa.string()) for name in names}
        return Chunk(cols, np.array(numbers, dtype="int64"), malformed)


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
