{#-
    Great-circle distance in km between two points given in decimal degrees
    (haversine, mean Earth radius 6371.0088 km). Plain trigonometry that both
    engines spell the same way; the argument of asin is capped at 1 so that
    rounding never produces NaN for antipodal points.
-#}
{% macro haversine_km(lat1, lon1, lat2, lon2) -%}
    {{ return(adapter.dispatch('haversine_km', 'predelq')(lat1, lon1, lat2, lon2)) }}
{%- endmacro %}

{% macro default__haversine_km(lat1, lon1, lat2, lon2) -%}
    (2 * 6371.0088 * asin(least(1.0, sqrt(
        power(sin(radians({{ lat2 }} - {{ lat1 }}) / 2), 2)
        + cos(radians({{ lat1 }})) * cos(radians({{ lat2 }}))
        * power(sin(radians({{ lon2 }} - {{ lon1 }}) / 2), 2)
    ))))
{%- endmacro %}
