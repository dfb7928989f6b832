{#-
    ML-band score: a model probability (0..1) -> 1..5 by four ascending
    probability bands (probability >= band_k gives score k). Null probability
    gives null.
-#}
{% macro score_ml_band(probability_col, band_2, band_3, band_4, band_5) -%}
    {{ score_static(probability_col, band_2, band_3, band_4, band_5, "'higher_is_worse'") }}
{%- endmacro %}
