"""`predelq load PATH...`: load telemetry and loan-book files into `raw`.

Exit status: 0 when every file was loaded or skipped (already loaded), 1 when a
file was refused (in this run, or earlier with the same content and still given
to load; the others are still loaded), 2 on a usage error, 75 (EX_TEMPFAIL) when
another writer held the DuckDB warehouse for longer than
$PREDELQ_LOCK_WAIT_SECONDS (default 60).

Folder loads (the inbox, refused files moved to `refused/`): predelq/loader/files.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path


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
    from predelq.loader.files import inbox_path, load_files

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
