with

model_registry as (
    select * from {{ source('ml', 'model_registry') }}
),

final as (
    select
        id,
        name,
        version,
        horizon_days,
        description,
        storage_path,
        trained_at,
        training_data_start,
        training_data_end,
        metrics,
        is_active,
        created_by,
        created_at
    from model_registry
)

select * from final
