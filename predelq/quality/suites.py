"""The expectation suites, as data: which great-expectations expectation, on what, how severe.

`critical`: the data is unusable or the loader is broken; `predelq check` exits 1.
`warning`: worth a look (recorded, printed), the pipeline goes on.

Range checks on raw telemetry allow a small share of bad rows (`mostly`): raw is a
landing zone and staging rejects those rows with a reason; a larger share means
a broken feed. Bounds follow the loader's settings (dbt_project.yml vars).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from predelq.loader.specs import IDENTIFIER_TYPES, PAYMENT_STATUSES

CRITICAL, WARNING = "critical", "warning"
NOT_NULL = "ExpectColumnValuesToNotBeNull"
BETWEEN = "ExpectColumnValuesToBeBetween"
IN_SET = "ExpectColumnValuesToBeInSet"
UNIQUE = "ExpectColumnValuesToBeUnique"
UNIQUE_TOGETHER = "ExpectCompoundColumnsToBeUnique"
ROW_COUNT = "ExpectTableRowCountToBeBetween"


@dataclass(frozen=True)
class Check:
    expectation: str  # great_expectations.expectations class name
    kwargs: dict
    severity: str
    why: str


@dataclass(frozen=True)
class Suite:
    name: str
    table: str  # raw table the data comes from
    source: str  # "table" (whole table) or a batch builder in quality/batches.py
    checks: list[Check] = field(default_factory=list)


def _c(expectation, severity, why, **kwargs) -> Check:
    return Check(expectation, kwargs, severity, why)


def suites(settings, freshness_hours: float) -> list[Suite]:
    lat, lon, soc = settings.lat_range, settings.lon_range, settings.soc_range
    speed, odo = settings.speed_range, settings.odometer_range
    return [
        Suite(
            "raw_telemetry_sample",
            "raw_telemetry",
            "telemetry_sample",
            [
                _c(NOT_NULL, CRITICAL, "readings name their device", column="device_id", mostly=0.99),
                _c(NOT_NULL, CRITICAL, "the loader stamps every row", column="ingested_at"),
                _c(
                    BETWEEN,
                    CRITICAL,
                    "state of charge is a percentage",
                    column="soc",
                    min_value=soc[0],
                    max_value=soc[1],
                    mostly=0.98,
                ),
                _c(
                    BETWEEN,
                    CRITICAL,
                    "speed within physical bounds",
                    column="speed",
                    min_value=speed[0],
                    max_value=speed[1],
                    mostly=0.98,
                ),
                _c(
                    BETWEEN,
                    CRITICAL,
                    "latitude on Earth",
                    column="lat",
                    min_value=lat[0],
                    max_value=lat[1],
                    mostly=0.98,
                ),
                _c(
                    BETWEEN,
                    CRITICAL,
                    "longitude on Earth",
                    column="lon",
                    min_value=lon[0],
                    max_value=lon[1],
                    mostly=0.98,
                ),
                _c(
                    BETWEEN,
                    WARNING,
                    "odometer plausible",
                    column="odometer",
                    min_value=odo[0],
                    max_value=odo[1],
                    mostly=0.99,
                ),
                _c(NOT_NULL, WARNING, "most readings carry a position", column="lat", mostly=0.9),
            ],
        ),
        Suite(
            "raw_telemetry_window",
            "raw_telemetry",
            "telemetry_window",
            [
                _c(BETWEEN, CRITICAL, "there is telemetry", column="readings", min_value=1),
                _c(
                    BETWEEN,
                    WARNING,
                    "few duplicate readings (staging drops them)",
                    column="duplicate_pct",
                    max_value=1.0,
                ),
                _c(
                    BETWEEN, WARNING, "few readings stamped in the future", column="future_pct", max_value=1.0
                ),
                _c(
                    BETWEEN,
                    WARNING,
                    f"data arrived in the last {freshness_hours:g} h",
                    column="hours_since_last_ingest",
                    max_value=freshness_hours,
                ),
            ],
        ),
        Suite(
            "raw_telemetry_daily",
            "raw_telemetry",
            "telemetry_daily",
            [
                _c(
                    BETWEEN,
                    WARNING,
                    "a full day's readings within 50-150% of the median of the 7 days before",
                    column="ratio_to_median",
                    min_value=0.5,
                    max_value=1.5,
                ),
            ],
        ),
        Suite(
            "payments",
            "payments",
            "table",
            [
                _c(ROW_COUNT, CRITICAL, "the loan book has payments", min_value=1),
                _c(UNIQUE, CRITICAL, "payment ids are unique", column="id"),
                _c(NOT_NULL, CRITICAL, "every payment has an account", column="account_id"),
                _c(NOT_NULL, CRITICAL, "every payment has a due date", column="due_date"),
                _c(
                    IN_SET,
                    CRITICAL,
                    "known payment statuses",
                    column="status",
                    value_set=list(PAYMENT_STATUSES),
                ),
                _c(BETWEEN, CRITICAL, "amounts due are not negative", column="amount_due", min_value=0),
                _c(BETWEEN, CRITICAL, "amounts paid are not negative", column="amount_paid", min_value=0),
            ],
        ),
        Suite(
            "repayment_schedule",
            "repayment_schedule",
            "table",
            [
                _c(UNIQUE, CRITICAL, "schedule ids are unique", column="id"),
                _c(
                    UNIQUE_TOGETHER,
                    CRITICAL,
                    "one row per account and installment",
                    column_list=["account_id", "installment_number"],
                ),
                _c(
                    UNIQUE_TOGETHER,
                    CRITICAL,
                    "one installment per account and due date (staging requires it)",
                    column_list=["account_id", "due_date"],
                ),
                _c(BETWEEN, CRITICAL, "installments count from 1", column="installment_number", min_value=1),
                _c(BETWEEN, CRITICAL, "amounts due are not negative", column="total_due", min_value=0),
            ],
        ),
        Suite(
            "loan_book_dates",
            "payments",
            "loan_book_dates",
            [
                _c(
                    ROW_COUNT,
                    CRITICAL,
                    "loan-book dates within the loader's bounds (not future, not before 2000 or the "
                    "disbursement, due dates within the loan term)",
                    min_value=0,
                    max_value=0,
                ),
            ],
        ),
        Suite(
            "accounts",
            "accounts",
            "table",
            [
                _c(ROW_COUNT, CRITICAL, "there are loan accounts", min_value=1),
                _c(UNIQUE, CRITICAL, "account ids are unique", column="id"),
                _c(NOT_NULL, CRITICAL, "every account has a customer", column="customer_id"),
                _c(
                    IN_SET,
                    CRITICAL,
                    "known account statuses",
                    column="status",
                    value_set=["active", "delinquent", "closed", "written_off"],
                ),
                _c(
                    BETWEEN,
                    WARNING,
                    "loan amounts are positive",
                    column="loan_amount",
                    min_value=0,
                    strict_min=True,
                ),
            ],
        ),
        Suite(
            "assets",
            "assets",
            "table",
            [
                _c(ROW_COUNT, CRITICAL, "there are financed vehicles", min_value=1),
                _c(UNIQUE, CRITICAL, "asset ids are unique", column="id"),
                _c(NOT_NULL, CRITICAL, "every vehicle is on an account", column="account_id"),
                _c(
                    IN_SET,
                    CRITICAL,
                    "known asset statuses",
                    column="status",
                    value_set=["active", "repossessed", "sold"],
                ),
            ],
        ),
        Suite(
            "entity_identifiers",
            "entity_identifiers",
            "table",
            [
                _c(UNIQUE, CRITICAL, "identifier row ids are unique", column="id"),
                _c(
                    UNIQUE_TOGETHER,
                    CRITICAL,
                    "one window start per identifier",
                    column_list=["entity_type", "identifier_type", "identifier_value", "valid_from"],
                ),
                _c(
                    IN_SET,
                    CRITICAL,
                    "known entity types",
                    column="entity_type",
                    value_set=["customer", "account", "asset"],
                ),
                _c(
                    IN_SET,
                    CRITICAL,
                    "known identifier types",
                    column="identifier_type",
                    value_set=["customer_ref", "account_number", *IDENTIFIER_TYPES],
                ),
                _c(NOT_NULL, CRITICAL, "windows have a start", column="valid_from"),
            ],
        ),
        Suite(
            "load_batches",
            "load_batches",
            "load_batches",
            [
                _c(
                    IN_SET,
                    WARNING,
                    "no file refused in the last 7 days",
                    column="status",
                    value_set=["loaded"],
                ),
                _c(
                    BETWEEN,
                    WARNING,
                    "files quarantine under 5% of their rows",
                    column="quarantine_pct",
                    max_value=5.0,
                ),
            ],
        ),
    ]
