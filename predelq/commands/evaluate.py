"""`predelq evaluate`: how well the warehouse warns, measured against the simulator's truth.

Writes one Markdown report (default reports/evaluation.md) made of sections;
each section is a function `section(target) -> str` (Markdown) in its own
module, listed in SECTIONS. Only evaluation reads the `truth` schema.
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

# (title, "module:function")
SECTIONS: list[tuple[str, str]] = [
    ("Early-warning events", "predelq.evaluation.events:section"),
    ("Delinquency probability models", "ml.evaluate:section"),
]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--output", default="reports/evaluation.md", help="report file (default reports/evaluation.md)"
    )


def run(args) -> int:
    from predelq.db import PROJECT_DIR, Target

    target = Target.from_env(args.target)
    parts = [
        "# PredelQ evaluation",
        "",
        f"Warehouse: {target.describe()}  ",
        f"Written: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        "",
    ]
    failed = False
    for title, ref in SECTIONS:
        module_name, func_name = ref.split(":")
        try:
            func = getattr(importlib.import_module(module_name), func_name)
        except ImportError as exc:
            parts += [f"## {title}", "", f"_Not available: {exc}_", ""]
            continue
        try:
            parts += [f"## {title}", "", func(target).strip(), ""]
        except Exception as exc:  # report the failure in the report and in the exit code
            failed = True
            parts += [f"## {title}", "", f"**Failed:** {type(exc).__name__}: {exc}", ""]
    out = Path(args.output)
    if not out.is_absolute():
        out = PROJECT_DIR / out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts))
    print("\n".join(parts))
    print(f"\nreport written to {out}")
    return 1 if failed else 0
