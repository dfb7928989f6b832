"""`predelq pipeline` (`make pipeline`): the cron job.

Steps, in order: `load` (new files from the inbox: the argument, $PREDELQ_INBOX,
else ./inbox) -> `check` (great-expectations on raw) -> `build` (`dbt build`) ->
`score` (`predelq score`, when the ml package provides it) -> `publish` (`dbt docs
generate --static` and a one-line summary). A step that fails stops the run:
the last line names the step and why, and the exit status is 1. The load step
fails when a file is refused (each named, with its reason); refused files are
moved to `<inbox>/refused/` with a `.reason.txt`, so the next run is clean and
nothing is lost (docs/decisions.md D16).

A file lock (fcntl) makes runs on the same warehouse exclusive: a second run
exits at once with status 75 (EX_TEMPFAIL) and "already running (pid ...)".
On DuckDB every writer takes the same lock: `predelq load` and `predelq dbt`
wait for it up to $PREDELQ_LOCK_WAIT_SECONDS (default 60) and then exit 75,
so a manual load never breaks a cron run's build (or the other way round).
The lock belongs to the process, so a killed run never leaves a stale lock. Lock
file: $PREDELQ_PIPELINE_LOCK, else `<duckdb file>.pipeline.lock` (DuckDB) or
`<tmp>/predelq-pipeline-<host>-<port>-<db>.lock` (PostgreSQL; one machine runs
the cron job).

$PREDELQ_PIPELINE_HOLD_SECONDS (tests) keeps the lock that long before the
first step, to stand in for a long run.

With $PREDELQ_PIPELINE_TEST_DAYS = N, the builds of `build` and `score` check
the generic data tests on day-keyed incremental models on their last N days only,
the days a run can have written (default `all`: every row; docs/decisions.md D30).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

STEPS = ("load", "check", "build", "score", "publish")
ALREADY_RUNNING = 75  # EX_TEMPFAIL: try again later


class StepFailed(Exception):
    """A step did not succeed; the message is the one-line reason."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inbox", help="folder of files to load (default $PREDELQ_INBOX or ./inbox)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="STEP",
        help=f"skip a step ({', '.join(STEPS)}); repeatable or comma-separated",
    )
    parser.add_argument("--lock-file", help="lock file (default: next to the warehouse, see the docs)")


def lock_path(target, value: str | None = None) -> Path:
    import tempfile

    value = value or os.environ.get("PREDELQ_PIPELINE_LOCK")
    if value:
        return Path(value)
    if target.engine == "duckdb":
        return target.duckdb_path.with_name(target.duckdb_path.name + ".pipeline.lock")
    p = target.pg_params
    return Path(tempfile.gettempdir()) / f"predelq-pipeline-{p['host']}-{p['port']}-{p['dbname']}.lock"


class PipelineLock:
    """An exclusive flock on a file holding the owner's pid and start time.

    `wait` seconds: how long to wait for the lock (0: fail at once), then AlreadyRunning.
    """

    def __init__(self, path: Path, wait: float = 0.0, what: str = "pipeline"):
        self.path = path
        self.fd: int | None = None
        self.wait = wait
        self.what = what

    def __enter__(self) -> PipelineLock:
        import datetime as dt
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                holder = os.read(fd, 200).decode(errors="replace").strip() or "pid unknown"
                os.close(fd)
                waited = f" after waiting {self.wait:g} s" if self.wait else ""
                raise AlreadyRunning(f"already running ({holder}){waited}; lock {self.path}") from None
        os.ftruncate(fd, 0)
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()}, {self.what}, started {started}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class AlreadyRunning(Exception):
    pass


def writer_lock(target, what: str):
    """The lock every DuckDB writer outside the pipeline takes (`predelq load`, `predelq dbt`):
    the pipeline's, waited for up to $PREDELQ_LOCK_WAIT_SECONDS. PostgreSQL: no lock (the
    loader serialises in the database), a no-op context."""
    import contextlib

    if target.engine != "duckdb":
        return contextlib.nullcontext()
    wait = float(os.environ.get("PREDELQ_LOCK_WAIT_SECONDS") or 60)
    return PipelineLock(lock_path(target), wait=wait, what=what)


def run(args) -> int:
    from predelq.db import Target

    target = Target.from_env(args.target)
    skip = {s.strip() for item in args.skip for s in item.split(",") if s.strip()}
    unknown = skip - set(STEPS)
    if unknown:
        from predelq.errors import UserError

        raise UserError(f"unknown step(s) {', '.join(sorted(unknown))}: steps are {', '.join(STEPS)}")
    try:
        with PipelineLock(lock_path(target, args.lock_file)):
            hold = float(os.environ.get("PREDELQ_PIPELINE_HOLD_SECONDS") or 0)
            if hold:
                time.sleep(hold)
            return _run_steps(target, args, skip)
    except AlreadyRunning as exc:
        print(f"predelq pipeline: {exc}", file=sys.stderr)
        return ALREADY_RUNNING


def _run_steps(target, args, skip: set[str]) -> int:
    started = time.perf_counter()
    print(f"pipeline on {target.describe()}", flush=True)
    done: list[str] = []
    for name in STEPS:
        if name in skip:
            done.append(f"{name} skipped")
            continue
        t0 = time.perf_counter()
        print(f"==> {name}", flush=True)
        try:
            summary = STEP_FUNCTIONS[name](target, args)
        except StepFailed as exc:
            return _failed(name, str(exc), started)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - any error stops the run with one line
            return _failed(name, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}", started)
        done.append(f"{name} {summary} ({time.perf_counter() - t0:.0f} s)")
    print(f"pipeline ok in {time.perf_counter() - started:.0f} s: " + "; ".join(done), flush=True)
    return 0


def _failed(step: str, why: str, started: float) -> int:
    seconds = time.perf_counter() - started
    print(f"pipeline FAILED at step {step} after {seconds:.0f} s: {why}", flush=True)
    return 1


# --- the steps: each returns a short summary or raises StepFailed ------------------------
def step_load(target, args) -> str:
    from predelq.loader.core import list_files, nested_files
    from predelq.loader.files import inbox_path, load_files

    _partitions_ahead(target)
    inbox = inbox_path(args.inbox)
    if not inbox.is_dir():
        print(f"inbox {inbox} does not exist: nothing to load")
        return "nothing (no inbox)"
    files = list_files([inbox])
    ignored = nested_files([inbox])
    if not files and not ignored:
        return f"nothing new in {inbox}"
    # refused files move to inbox/refused/ (with the reason): this run fails, the next is clean
    results = load_files(target, files, progress=False, move_refused=files, ignored=ignored)
    refused = [r for r in results if r.status == "refused"]
    loaded = [r for r in results if r.status == "loaded"]
    if refused:
        names = ", ".join(f"{r.file.name} ({r.message})" for r in refused)
        raise StepFailed(f"{len(refused)} file(s) refused: {names}"[:1500])
    rows = sum(r.rows_loaded for r in loaded)
    quarantined = sum(r.rows_quarantined for r in loaded)
    extra = f", {len(ignored)} ignored (in subfolders)" if ignored else ""
    return f"{len(loaded)} file(s), {rows:,} rows, {quarantined:,} quarantined{extra}"


def _partitions_ahead(target) -> None:
    """PostgreSQL: today's and tomorrow's telemetry partitions exist before anything lands."""
    if target.engine != "postgres":
        return
    import datetime as dt

    from predelq import partitions

    con = target.connect()
    try:
        with con.cursor() as cur:
            if partitions.is_partitioned(cur, "raw_telemetry"):
                now = dt.datetime.now(dt.UTC)
                partitions.ensure_days(cur, "raw_telemetry", now, now + dt.timedelta(days=1))
        con.commit()
    finally:
        con.close()


def step_check(target, args) -> str:
    from predelq.quality.runner import check, docs_path, summarize

    report = check(target, docs_dir=docs_path())
    summarize(report, target)
    if report.critical_failures:
        first = report.critical_failures[0]
        raise StepFailed(
            f"{len(report.critical_failures)} critical data-quality failure(s), first: "
            f"{first.suite} {first.expectation}({first.column or 'table'})"
        )
    return f"{len(report.outcomes)} expectations, {len(report.warnings)} warning(s)"


def step_build(target, args) -> str:
    from collections import Counter

    from predelq.dbt import pipeline_test_vars, run_dbt

    result = run_dbt(["build", *pipeline_test_vars()], target, raise_on_failure=False)
    results = getattr(result.result, "results", None) or []
    statuses = Counter(str(r.status).lower() for r in results)
    if not result.success:
        bad = [r.node.name for r in results if str(r.status).lower() in ("error", "fail")][:3]
        detail = f": {', '.join(bad)}" if bad else (f": {result.exception}" if result.exception else "")
        counts = ", ".join(f"{n} {s}" for s, n in statuses.most_common())
        raise StepFailed(f"dbt build failed ({counts}){detail}"[:400])
    return f"{len(results)} nodes ({', '.join(f'{n} {s}' for s, n in statuses.most_common())})"


def step_score(target, args) -> str:
    import importlib

    from predelq.cli import COMMANDS, build_parser
    from predelq.errors import UserError

    module = COMMANDS.get("score", (None,))[0]
    if not module or not _has_module("ml"):
        print("score: skipped (no `predelq score` command in this installation)")
        return "skipped (not available)"
    trained = _train_missing_models(target)
    if trained is None:
        print("score: skipped (no active model, and none could be trained yet; see above)")
        return "skipped (no active model: history too short to train?)"
    if trained and target.engine == "duckdb":
        # models trained just now: score leniently (as the demo) and rebuild
        from ml.pipeline import score_step
        from predelq.dbt import pipeline_test_vars

        try:
            score_step(target, pipeline_test_vars())
        except UserError as exc:
            raise StepFailed(f"scoring with the new models: {exc}") from exc
        return f"trained {', '.join(trained)}; scored, score readers rebuilt"
    score_args = build_parser(only="score").parse_args(["score", "--target", target.name])
    try:
        code = importlib.import_module(module).run(score_args)
    except UserError as exc:
        raise StepFailed(f"predelq score: {exc}") from exc
    if code:
        raise StepFailed(f"predelq score exited {code} (see above)")
    # dbt only reads the scores: rebuild what reads them (ml_model indicators, events, marts)
    from ml.pipeline import rebuild_score_readers
    from predelq.dbt import pipeline_test_vars

    try:
        rebuild_score_readers(target, pipeline_test_vars())
    except UserError as exc:
        raise StepFailed(f"rebuilding the models that read scores: {exc}") from exc
    return "done, score readers rebuilt"


def _train_missing_models(target) -> list[str] | None:
    """Train the horizons without an active model (as `make demo` does).

    Returns the horizons trained now ([] when every horizon already had a model), or None
    when some horizon still has no model (too little labelled history to train on: not a
    failed run; the rule-based indicators and events still ran).
    """
    from ml import config, registry
    from ml.db import Db
    from predelq.cli import main as cli_main

    with Db.open(target) as db:
        missing = [h for h in config.HORIZONS if h not in registry.active_models(db)]
    if not missing:
        return []
    print(f"score: no active model for {', '.join(f'{h}d' for h in missing)}: training first", flush=True)
    cli_main(["train", "--target", target.name, "--if-no-active"])
    with Db.open(target) as db:
        still = [h for h in config.HORIZONS if h not in registry.active_models(db)]
    if len(still) == len(config.HORIZONS):
        return None
    return [f"{h}d" for h in missing if h not in still]


def _has_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def step_publish(target, args) -> str:
    from predelq.db import PROJECT_DIR
    from predelq.dbt import run_dbt

    result = run_dbt(["docs", "generate", "--static"], target, raise_on_failure=False)
    if not result.success:
        raise StepFailed(f"dbt docs generate failed: {result.exception or 'see the dbt log'}")
    folder = Path(os.environ.get("DBT_TARGET_PATH") or PROJECT_DIR / "target")
    folder = folder if folder.is_absolute() else PROJECT_DIR / folder
    return f"docs {folder / 'static_index.html'}"


STEP_FUNCTIONS = {
    "load": step_load,
    "check": step_check,
    "build": step_build,
    "score": step_score,
    "publish": step_publish,
}
