"""Helpers for benchmarks: wall time and peak memory of a child process."""

from __future__ import annotations

import resource
import subprocess
import sys
import time


def run_measured(cmd: list[str], env=None, cwd=None) -> dict:
    """Run a command; return seconds and the child's peak RSS in MB."""
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    # ru_maxrss of children is the max over all children so far; report it, noting
    # that it can only be an upper bound when an earlier child used more.
    return {
        "seconds": seconds,
        "peak_mb": max(peak_kb, before) / 1024,
        "stdout": proc.stdout,
        "stderr": proc.stderr,
    }


def python_cmd(*args: str) -> list[str]:
    return [sys.executable, *args]
