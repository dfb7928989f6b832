#!/bin/bash
# A/B timing of `predelq train` between two checkouts, on equal feature tables.
#
#   bench/ab/train_ab.sh BASE_CHECKOUT BASE_WORKDIR HEAD_CHECKOUT HEAD_WORKDIR [ROUNDS]
#
# Each WORKDIR holds bench_ml.duckdb prepared by its own checkout the way bench_ml
# does it (simulate --minute-step 10 --no-oracle, dbt seed, dbt run -s +ml_features_daily,
# same vars). Runs are alternated head, base, base, head (ABBA) for ROUNDS (5) rounds,
# so the machine's drift over minutes (one run varies 25-37 s on this 2-core machine,
# and consecutive runs move together) falls on both sides alike; prints one line per run
# (wall, user CPU, peak RSS) and the medians. `python -m bench.run ml` runs each side as
# one block of runs, which that drift can tilt either way.
set -euo pipefail
BASE=$1 BASE_W=$2 HEAD=$3 HEAD_W=$4 ROUNDS=${5:-5}
PY=${PYTHON:-python}
one() {  # side checkout workdir
    local out="$3/train.out"
    ( cd "$2" && PREDELQ_TARGET=dev PREDELQ_DUCKDB_PATH="$3/bench_ml.duckdb" \
        PREDELQ_ML_ARTIFACTS="$3/artifacts" PREDELQ_ML_MIN_AUC=0 DBT_PROFILES_DIR="$2/.dbt" \
        /usr/bin/time -f "%e %U %M" "$PY" -m predelq.cli train > "$out" 2>&1 )
    echo "$1 $(tail -1 "$out")"
}
for _ in $(seq "$ROUNDS"); do
    one head "$HEAD" "$HEAD_W"; one base "$BASE" "$BASE_W"
    one base "$BASE" "$BASE_W"; one head "$HEAD" "$HEAD_W"
done | tee /dev/stderr | "$PY" -c '
import statistics as st, sys
runs = {}
for line in sys.stdin:
    side, wall, user, _ = line.split()
    runs.setdefault(side, []).append((float(wall), float(user)))
for side, r in sorted(runs.items()):
    print(f"{side}: n={len(r)} median wall {st.median(w for w, _ in r):.1f} s, median user CPU {st.median(u for _, u in r):.1f} s")
'
