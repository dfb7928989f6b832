"""`predelq demo`: the main job on DuckDB, end to end, with a short summary.

Steps: create the raw schema, simulate the portfolio, `dbt build`, then the
steps later layers add (train/score, collection list). Each step prints its
time; the summary lists rows per layer.
"""

from __future__ import annotations

import time

# Schemas in pipeline order, for the summary.
LAYERS = ["raw", "staging", "intermediate", "metrics", "indicators", "events", "ml", "marts", "ops"]


def add_arguments(parser) -> None:
    parser.add_argument("--assets", type=int, default=450, help="vehicles to simulate (default 450)")
    parser.add_argument("--days", type=int, default=240, help="days of telemetry history (default 240)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--end-date", default=None, help="last simulated day (default: simulator's)")
    parser.add_argument(
        "--skip-simulate", action="store_true", help="keep the raw data already in the database"
    )


def run(args) -> int:
    from predelq.db import Target

    target = Target.from_env(args.target)
    print(f"PredelQ demo on {target.describe()}", flush=True)
    timings: list[tuple[str, float]] = []
    started = time.perf_counter()

    for name, step in steps(args, target):
        t0 = time.perf_counter()
        print(f"\n==> {name}", flush=True)
        step()
        timings.append((name, time.perf_counter() - t0))
        print(f"    {name}: {timings[-1][1]:.1f}s", flush=True)

    print_summary(target, timings, time.perf_counter() - started)
    return 0


def steps(args, target):
    """The demo's steps as (name, callable). Later layers append theirs here."""
    from predelq.cli import main as cli_main
    from predelq.dbt import run_dbt

    def create():
        _check(cli_main(["db-create", "--target", target.name]), "db-create")

    def simulate():
        cmd = ["simulate", "--target", target.name, "--assets", str(args.assets)]
        cmd += ["--days", str(args.days), "--seed", str(args.seed)]
        if args.end_date:
            cmd += ["--end-date", args.end_date]
        _check(cli_main(cmd), "simulate")

    def build():
        run_dbt(["build"], target)

    out = [("create raw schema", create)]
    if not args.skip_simulate:
        out.append(("simulate portfolio", simulate))
    out.append(("dbt build", build))
    out += _later_steps(args, target)
    return out


def _later_steps(args, target):
    """Steps contributed by later layers (ML scoring, collection list)."""
    from ml.pipeline import demo_steps as ml_steps

    out = []
    out += ml_steps(target)  # train if no active model, score, print AUC per horizon
    out.append(("collection priority, top 10", lambda: print_collection_priority(target)))
    return out


def collection_priority_rows(target, limit: int = 10, early_only: bool = False) -> list[tuple]:
    """The first `limit` rows of marts.v_collection_priority (rank order).

    early_only: only accounts not yet 30+ days past due (the early warnings).
    """
    from predelq.db import connection

    where = "where days_past_due < 30 " if early_only else ""
    with connection(target) as con:
        cur = con.cursor()
        cur.execute(
            "select priority_rank, account_id, expected_loss_amount, probability_30d, probability_source, "
            "days_past_due, top_reasons, recommended_action "
            f"from marts.v_collection_priority {where}order by priority_rank limit {int(limit)}"
        )
        return [tuple(r) for r in cur.fetchall()]


# How the probability was obtained (v_collection_priority.probability_source), briefly.
_SOURCES = {
    "ml_model": "ML",
    "already_30_plus_dpd": "30+ DPD now",
    "rules_fallback": "rules",
    "unscored_fallback": "default",
}


def _clip(text, width: int) -> str:
    text = " ".join(str(text or "-").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_collection_priority(rows: list[tuple]) -> str:
    """A fixed-width table a person can read in a terminal."""
    header = ("#", "account", "expected loss INR", "P(30+ DPD, 30d)", "DPD", "reasons", "action")
    widths = (3, 8, 17, 20, 4, 52, 52)
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for rank, account, loss, prob, source, dpd, reasons, action in rows:
        cells = (
            str(rank),
            str(account)[:8],
            f"{float(loss):,.0f}".rjust(widths[2]),
            _clip(f"{float(prob):.2f} ({_SOURCES.get(source, source)})", widths[3]),
            str(dpd).rjust(widths[4]),
            _clip(reasons, widths[5]),
            _clip(action, widths[6]),
        )
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(lines)


def print_collection_priority(target, limit: int = 10, early_limit: int = 5) -> None:
    rows = collection_priority_rows(target, limit)
    print(f"Collection priority (marts.v_collection_priority), top {limit} by expected loss:")
    print(format_collection_priority(rows) if rows else "  no account with principal outstanding")
    if early_limit:
        # The top of the list is usually accounts already 30+ DPD (probability 1); the
        # early warnings are the accounts not there yet, in the same rank order.
        early = collection_priority_rows(target, early_limit, early_only=True)
        print(f"\nEarly warnings: the top {early_limit} accounts not yet 30+ days past due:")
        print(format_collection_priority(early) if early else "  none")


def _check(code: int, what: str) -> None:
    if code:
        from predelq.errors import UserError

        raise UserError(f"{what} failed (exit {code})")


def print_summary(target, timings, total_seconds: float) -> None:
    from predelq.db import connection

    print("\nRows per layer (tables; views are computed on read):")
    with connection(target) as con:
        cur = con.cursor()
        cur.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_schema in ({}) order by 1, 2".format(", ".join(f"'{s}'" for s in LAYERS))
        )
        tables = cur.fetchall()
        per_layer: dict[str, list[str]] = {}
        for schema, name, kind in tables:
            if kind == "VIEW":
                per_layer.setdefault(schema, []).append(f"{name} (view)")
                continue
            cur.execute(f'select count(*) from {schema}."{name}"')
            per_layer.setdefault(schema, []).append(f"{name} {cur.fetchone()[0]:,}")
    for layer in LAYERS:
        if layer in per_layer:
            print(f"  {layer:<13} " + ", ".join(per_layer[layer]))
    print("\nTime per step: " + ", ".join(f"{n} {s:.1f}s" for n, s in timings))
    print(f"Total: {total_seconds:.1f}s")
