"""Marts on PostgreSQL (issue 6): the Metabase role reads every mart and nothing else.

Runs on the shared small portfolio (`built_pg`): `dbt build` created the role
(on-run-start hook, NOLOGIN), granted it USAGE on schema marts and SELECT on each
mart through the `grants` config. The test becomes that role with SET ROLE.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.postgres

ROLE = "metabase_reader"  # var metabase_role's default


def _connect(wh):
    with wh.activated() as target:
        con = target.connect()
    con.autocommit = True
    return con


def _marts(wh) -> list[str]:
    man = json.loads((wh.workdir / "target" / "manifest.json").read_text())
    return sorted(
        n["name"]
        for n in man["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] == "marts" and n["package_name"] == "predelq"
    )


def test_metabase_role_reads_every_mart_and_nothing_else(built_pg):
    import psycopg2
    from psycopg2 import errors

    con = _connect(built_pg)
    try:
        cur = con.cursor()
        cur.execute("select rolcanlogin, rolsuper, rolcreaterole from pg_roles where rolname = %s", (ROLE,))
        assert cur.fetchone() == (False, False, False), "role missing or too powerful"
        cur.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('marts', 'pg_catalog', 'information_schema') order by 1, 2"
        )
        others = cur.fetchall()
        schemas = {s for s, _ in others}
        assert {"raw", "staging", "intermediate", "metrics", "events", "ops"} <= schemas
        marts = _marts(built_pg)
        assert len(marts) >= 14

        cur.execute(f'set role "{ROLE}"')
        for mart in marts:
            cur.execute(f'select * from marts."{mart}" limit 1')
            cur.fetchall()
        cur.execute("select count(*) from marts.v_collection_priority")
        assert cur.fetchone()[0] > 0

        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute("select full_name, phone from raw.customers")
        allowed = []
        for schema, table in others:
            try:
                cur.execute(f'select 1 from "{schema}"."{table}" limit 1')
                allowed.append(f"{schema}.{table}")
            except psycopg2.errors.InsufficientPrivilege:
                pass
        assert not allowed, f"{ROLE} can read outside marts: {allowed}"

        cur.execute("reset role")
        cur.execute(
            "select nspname from pg_namespace where has_schema_privilege(%s, oid, 'USAGE') "
            "and nspname not in ('pg_catalog', 'information_schema', 'public') and nspname not like 'pg_%%'",
            (ROLE,),
        )
        assert [r[0] for r in cur.fetchall()] == ["marts"]
    finally:
        con.close()


def test_marts_match_duckdb_on_the_collection_list(built_pg, built_duckdb):
    """Same input, same ranking and expected loss on both engines."""
    sql = (
        "select cast(account_id as varchar), priority_rank, expected_loss_amount, probability_source, "
        "top_reasons, recommended_action from marts.v_collection_priority order by priority_rank"
    )
    pg = [(a, r, round(float(e), 2), s, t, c) for a, r, e, s, t, c in built_pg.query(sql)]
    duck = [(a, r, round(float(e), 2), s, t, c) for a, r, e, s, t, c in built_duckdb.query(sql)]
    assert pg == duck


def test_documented_turned_red_query_runs_on_postgres(built_pg):
    from test_marts import turned_red_query

    red = built_pg.query(turned_red_query())
    expected = built_pg.query("select account_id from marts.account_current_state where risk_band = 'red'")
    assert {a for a, _ in red} == {a for (a,) in expected}
