{#-
    A device belongs to at most one asset at any instant: two validity windows of
    the same device id must not overlap, or telemetry would be counted twice.
-#}
with

device_windows as (
    select * from {{ ref('stg_fleet__entity_identifiers') }}
    where entity_type = 'asset' and identifier_type = 'device_id'
)

select
    earlier.identifier_value as device_id,
    earlier.entity_id as first_asset_id,
    later.entity_id as second_asset_id,
    earlier.valid_from as first_valid_from,
    earlier.valid_to as first_valid_to,
    later.valid_from as second_valid_from
from device_windows as earlier
inner join device_windows as later
    on
        earlier.identifier_value = later.identifier_value
        and earlier.entity_identifier_id != later.entity_identifier_id
        and earlier.valid_from <= later.valid_from
        and (earlier.valid_to is null or earlier.valid_to > later.valid_from)
