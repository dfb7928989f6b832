{#-
    The last scoring of each horizon, as the Python scorer recorded it in the
    landing table ml.scoring_runs (a view: always the latest scoring). The
    columns are stg_ml__scoring_runs' own; this model is their documented,
    tested public name.
-#}
{{ config(materialized='view') }}

with

scoring_runs as (
    select * from {{ ref('stg_ml__scoring_runs') }}
)

select * from scoring_runs
