"""`make bench`: run every benchmark and write the results.

Each `bench/bench_*.py` module exposes `run(ctx) -> list[dict]`; each dict is one
measured figure (name, engine, seconds, rows, rows_per_s, peak_mb, ratio, note).
Results go to bench/results/latest.json and bench/results/latest.md (and a
timestamped copy). Benchmarks compare with the plain engine doing the same work
in the same run; they are never pass/fail tests.

    python -m bench.run                 # all benchmarks
    python -m bench.run simulate metrics  # some of them
    BENCH_LARGE=1 python -m bench.run   # include the optional large runs
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


class Context:
    """What a benchmark needs: a scratch folder and switches."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.large = os.environ.get("BENCH_LARGE", "") not in ("", "0")
        self.pg = os.environ.get("BENCH_PG", "1") not in ("", "0")


def discover() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    names = argv or discover()
    RESULTS.mkdir(exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="predelq-bench-") as tmp:
        ctx = Context(Path(tmp))
        for name in names:
            module = importlib.import_module(f"bench.bench_{name}")
            print(f"== bench {name}", flush=True)
            t0 = time.perf_counter()
            try:
                got = module.run(ctx)
            except Exception as exc:  # a broken benchmark is reported, not hidden
                got = [{"bench": name, "name": "error", "note": f"{type(exc).__name__}: {exc}"}]
            for r in got:
                r.setdefault("bench", name)
                r.setdefault("measured_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
                print("   ", {k: v for k, v in r.items() if v is not None}, flush=True)
            rows += got
            print(f"   ({time.perf_counter() - t0:.1f}s)", flush=True)
    meta = {
        "started_at": started.isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": f"{platform.machine()} {os.cpu_count()} cpu",
    }
    # A partial run (`python -m bench.run metrics`) replaces only its own benchmarks'
    # rows in latest.*; the others keep their last figures (each row says when).
    kept = []
    if argv and (RESULTS / "latest.json").exists():
        previous = json.loads((RESULTS / "latest.json").read_text())
        kept = [r for r in previous.get("results", []) if r.get("bench") not in names]
    doc = {"meta": meta, "results": kept + rows}
    stamp = started.strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"{stamp}.json").write_text(json.dumps({"meta": meta, "results": rows}, indent=2, default=str))
    (RESULTS / "latest.json").write_text(json.dumps(doc, indent=2, default=str))
    (RESULTS / "latest.md").write_text(to_markdown(doc))
    print(f"results: {RESULTS / 'latest.md'}")
    return 1 if any(r.get("name") == "error" for r in rows) else 0


def to_markdown(doc: dict) -> str:
    cols = ["bench", "name", "engine", "seconds", "rows", "rows_per_s", "peak_mb", "ratio", "note"]
    cols.append("measured_at")
    out = [f"# Benchmark results ({doc['meta']['started_at']}, {doc['meta']['machine']})", ""]
    out.append("| " + " | ".join(cols) + " |")
    out.append("|" + "---|" * len(cols))
    for r in doc["results"]:
        cells = []
        for c in cols:
            v = r.get(c)
            if isinstance(v, float):
                v = f"{v:,.2f}" if abs(v) < 1e5 else f"{v:,.0f}"
            elif isinstance(v, int):
                v = f"{v:,}"
            cells.append("" if v is None else str(v))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
