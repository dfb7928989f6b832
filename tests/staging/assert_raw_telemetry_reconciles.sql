{#-
    Every raw telemetry row (hot + archive) is either a staged reading or a
    rejected one, never both and never neither. Returns a row when the counts
    disagree.
-#}
with

raw_rows as (
    select count(*) as n from {{ ref('base_telematics__telemetry') }}
),

staged_rows as (
    select count(*) as n from {{ ref('stg_telematics__telemetry') }}
),

rejected_rows as (
    select count(*) as n from {{ ref('stg_telematics__telemetry_rejections') }}
)

select
    raw_rows.n as raw_count,
    staged_rows.n as staged_count,
    rejected_rows.n as rejected_count
from raw_rows
cross join staged_rows
cross join rejected_rows
where raw_rows.n != staged_rows.n + rejected_rows.n
