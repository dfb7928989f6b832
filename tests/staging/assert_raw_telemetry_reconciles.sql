{#-
    Every raw telemetry row (hot + archive) is checked exactly once, and is
    either a staged reading (stg_telematics__telemetry: rejection_reason null)
    or a rejected one (stg_telematics__telemetry_rejections: one of the known
    reasons), never both and never neither. Returns a row when the counts
    disagree or a reason is unknown.

    One pass over the checked readings rather than a count of each staging
    view: on the demo portfolio (130 M readings) every scan of the checked
    view (de-duplication, device resolution) costs minutes.
-#}
{%- set reasons = [
    'missing_timestamp', 'future_timestamp', 'duplicate', 'unknown_device',
    'soc_out_of_range', 'speed_out_of_range', 'coordinates_out_of_range',
] %}

with

raw_rows as (
    select count(*) as n from {{ ref('base_telematics__telemetry') }}
),

checked_rows as (
    select
        count(*) as n,
        sum(case when rejection_reason is null then 1 else 0 end) as staged_count,
        sum(case when rejection_reason is not null then 1 else 0 end) as rejected_count,
        sum(
            case
                when rejection_reason not in (
                    {%- for reason in reasons %}
                    '{{ reason }}'{% if not loop.last %},{% endif %}
                    {%- endfor %}
                ) then 1
                else 0
            end
        ) as unknown_reason_count
    from {{ ref('base_telematics__telemetry_checked') }}
)

select
    raw_rows.n as raw_count,
    checked_rows.n as checked_count,
    checked_rows.staged_count,
    checked_rows.rejected_count,
    checked_rows.unknown_reason_count
from raw_rows
cross join checked_rows
where
    raw_rows.n != checked_rows.n
    or raw_rows.n != checked_rows.staged_count + checked_rows.rejected_count
    or checked_rows.unknown_reason_count > 0
