with

entity_identifiers as (
    select * from {{ source('fleet', 'entity_identifiers') }}
),

renamed as (
    select
        id as entity_identifier_id,
        entity_type,
        entity_id,
        identifier_type,
        identifier_value,
        source as identifier_source,
        coalesce(is_primary, false) as is_primary,
        valid_from,
        valid_to,
        {{ local_midnight_utc('valid_from') }} as valid_from_at,
        {{ local_midnight_utc('valid_to') }} as valid_to_at,
        created_at
    from entity_identifiers
)

select * from renamed
