"""`predelq load PATH...`: load telemetry and loan-book files into `raw`.

Exit status: 0 when every file was loaded or skipped (already loaded), 1 when a
file was refused (in this run, or earlier with the same content and still given
to load; the others are still loaded), 2 on a usage error, 75 (EX_TEMPFAIL) when
another writer held the DuckDB warehouse for longer than
$PREDELQ_LOCK_WAIT_SECONDS (default 60).

Folder loads (the inbox): a refused file is moved to the folder's `refused/`
subfolder with `<name>.reason.txt` beside it (the batch id and why), so the next
run is clean and nothing is lost; files in other subfolders are reported as
ignored (never loaded from there). Files named one by one stay where they are.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DEFAULT_INBOX = "inbox"


def inbox_path(value: str | None = None) -> Path:
    """The inbox folder: the argument, else $PREDELQ_INBOX, else ./inbox in the project folder."""
    from predelq.db import PROJECT_DIR

    path = Path(value or os.environ.get("PREDELQ_INBOX") or DEFAULT_INBOX)
    return path if path.is_absolute() else PROJECT_DIR / path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        help="files or folders to load (default: the inbox, $PREDELQ_INBOX or ./inbox)",
    )
    parser.add_argument(
        "--kind",
        choices=["telemetry", "payments", "repayment_schedule"],
        help="what the files hold (default: from the file name, else from its columns)",
    )
    parser.add_argument(
        "--retry-refused", action="store_true", help="try again files refused earlier (same SHA-256)"
    )
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="show a progress bar"
    )
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")


def run(args) -> int:
    import sys

    from predelq.commands.pipeline import ALREADY_RUNNING, AlreadyRunning, writer_lock
    from predelq.db import Target
    from predelq.loader.core import list_files, nested_files

    target = Target.from_env(args.target)
    paths = [Path(p) for p in args.paths] or [inbox_path()]
    if not args.paths and not paths[0].exists():
        print(f"inbox {paths[0]} does not exist: nothing to load")
        return 0
    files = list_files(paths)
    ignored = nested_files(paths)
    if not files and not ignored:
        print(f"no files to load in {', '.join(str(p) for p in paths)}")
        return 0
    from_folders = {f for p in paths if p.is_dir() for f in files if f.parent == p}
    try:
        with writer_lock(target, "predelq load"):  # DuckDB: the pipeline's lock (see pipeline.py)
            results = load_files(
                target,
                files,
                kind=args.kind,
                retry_refused=args.retry_refused,
                progress=args.progress,
                move_refused=from_folders,
                ignored=ignored,
            )
    except AlreadyRunning as exc:
        print(f"predelq load: {exc}", file=sys.stderr)
        return ALREADY_RUNNING
    return 1 if any(r.status == "refused" for r in results) else 0


def load_files(
    target, files, kind=None, retry_refused=False, progress=None, echo=print, move_refused=(), ignored=()
):
    """Load files one by one (one transaction each); returns the LoadResults.

    `move_refused`: files (of a folder load) moved to `refused/` beside them when refused.
    `ignored`: files reported as ignored (in a subfolder), one result each.
    """
    if target.engine == "spark":  # the loader on a DuckDB mirror of raw (predelq/spark_load.py)
        from predelq.spark_load import load_files_spark

        return load_files_spark(target, files, kind, retry_refused, progress, echo)

    from predelq.loader.core import Loader, LoadResult, ensure_tables

    move_refused = set(move_refused)
    con = _connect(target)
    try:
        ensure_tables(con, target.engine)
        loader = Loader(con, target.engine, progress=progress)
        if target.engine == "duckdb":  # bounded memory: the stage spills to disk beyond this
            con.execute("set memory_limit = ?", [loader.settings.duckdb_memory_limit])
        results = []
        for f in files:
            result = loader.load(f, kind=kind, retry_refused=retry_refused)
            if result.status == "refused" and f in move_refused:
                result.message += f"; moved to {move_to_refused(f, result)}"
            echo(result.line())
            results.append(result)
    finally:
        con.close()
    for f in ignored:
        result = LoadResult(
            f, "ignored", message="in a subfolder: only the folder's top level is loaded (move it up)"
        )
        echo(result.line())
        results.append(result)
    loaded = [r for r in results if r.status == "loaded"]
    refused = [r for r in results if r.status == "refused"]
    skipped = [r for r in results if r.status == "skipped"]
    echo(
        f"{len(files)} file(s): {len(loaded)} loaded ({sum(r.rows_loaded for r in loaded):,} rows, "
        f"{sum(r.rows_quarantined for r in loaded):,} quarantined), {len(skipped)} skipped, "
        f"{len(refused)} refused, {len(ignored)} ignored on {target.describe()}"
    )
    return results


def move_to_refused(path: Path, result) -> Path:
    """Move a refused file to `refused/` beside it, with `<name>.reason.txt`; the new path."""
    import datetime as dt

    from predelq.loader.core import REFUSED_FOLDER

    folder = path.parent / REFUSED_FOLDER
    folder.mkdir(exist_ok=True)
    dest = folder / path.name
    if dest.exists():  # the same name refused before: keep both
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        dest = folder / f"{stamp}-{path.name}"
    path.rename(dest)
    dest.with_name(dest.name + ".reason.txt").write_text(
        f"file: {path}\nbatch: {result.batch_id}\nrefused: {result.message}\n"
        "fix the file and put it back in the inbox (or load it with --retry-refused)\n"
    )
    return dest


def _connect(target):
    from predelq.errors import UserError

    try:
        return target.connect()
    except Exception as exc:  # noqa: BLE001 - turned into one clear line
        msg = " ".join(str(exc).split())
        if "lock" in msg.lower():
            msg += " (another process has the DuckDB file open: stop it or wait)"
        raise UserError(f"cannot open {target.describe()}: {msg}") from exc
