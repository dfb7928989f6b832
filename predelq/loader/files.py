"""Load many files, one transaction each: the inbox, and refused files moved aside.

Folder loads (the inbox): a refused file is moved to the folder's `refused/`
subfolder with `<name>.reason.txt` beside it (the batch id and why), so the next
run is clean and nothing is lost; files in other subfolders are reported as
ignored (never loaded from there). Files named one by one stay where they are.
`predelq load` (predelq/commands/load.py) and the pipeline's load step call this.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_INBOX = "inbox"


def inbox_path(value: str | None = None) -> Path:
    """The inbox folder: the argument, else $PREDELQ_INBOX, else ./inbox in the project folder."""
    from predelq.db import PROJECT_DIR

    path = Path(value or os.environ.get("PREDELQ_INBOX") or DEFAULT_INBOX)
    return path if path.is_absolute() else PROJECT_DIR / path


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

    from predelq.loader.core import Loader, LoadResult, connect, ensure_tables

    move_refused = set(move_refused)
    con = connect(target)
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
