"""What each kind of file must hold, and how its rows are checked.

A `FileSpec` names the raw table a kind of file lands in, its fields (the file's
column names are the raw table's column names), which of them the file must
have (else the file is refused), which each row must fill (else the row is
quarantined as `missing_value`), bounds and accepted values, the duplicate keys,
and the reference check (telemetry identifiers through `entity_identifiers`,
loan-book rows through `accounts`).

Telemetry names its vehicle by `device_id`, `vin` or `registration` (one of those
columns, or `identifier_type` + `identifier` columns). Device rows keep the
device id and leave `asset_id` empty (staging resolves the device by validity
window); VIN and registration rows store the identifier as sent in `device_id`,
the resolved `asset_id`, and `{"identifier_type": ...}` in `raw_payload`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

IDENTIFIER_TYPES = ("device_id", "vin", "registration")
PAYMENT_STATUSES = ("paid", "partial", "missed", "bounced")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, uuid, timestamp, date, number, integer, bool, enum
    in_file: bool = False  # the file must have the column (else refused)
    required: bool = False  # every row must fill it (else missing_value)
    bounds: str | None = None  # LoaderSettings attribute holding (low, high)
    choices: tuple[str, ...] = ()
    not_future: bool = False  # timestamps after load time + clock skew are quarantined

    @property
    def arrow_type(self) -> pa.DataType:
        return {
            "timestamp": pa.timestamp("us", "UTC"),
            "date": pa.date32(),
            "number": pa.float64(),
            "integer": pa.int64(),
            "bool": pa.bool_(),
        }.get(self.kind, pa.string())


@dataclass(frozen=True)
class FileSpec:
    kind: str
    table: str
    fields: tuple[Field, ...]
    keys: tuple[tuple[str, ...], ...]  # duplicate keys, checked in the file and against the table
    reference: str  # "asset_identifier" or "account"
    name_prefixes: tuple[str, ...]
    sniff_columns: tuple[str, ...]  # all present -> this kind
    range_column: str | None = None  # limits the "already loaded" lookup to the file's span
    also_check: tuple[str, ...] = ()  # other raw tables searched for already-loaded keys

    @property
    def stage_columns(self) -> list[tuple[str, str]]:
        """(name, field kind) of the stage table's columns after `row_no`."""
        cols = []
        if self.reference == "asset_identifier":
            cols += [("device_id", "text"), ("asset_id", "text")]
        cols += [(f.name, f.kind) for f in self.fields]
        if self.reference == "asset_identifier":
            cols.append(("raw_payload", "text"))
        return cols

    def field_names(self) -> set[str]:
        return {f.name for f in self.fields}


TELEMETRY = FileSpec(
    kind="telemetry",
    table="raw_telemetry",
    fields=(
        Field("ts", "timestamp", in_file=True, required=True, not_future=True),
        Field("lat", "number", bounds="lat_range"),
        Field("lon", "number", bounds="lon_range"),
        Field("soc", "number", bounds="soc_range"),
        Field("odometer", "number", bounds="odometer_range"),
        Field("speed", "number", bounds="speed_range"),
        Field("is_charging", "bool"),
    ),
    keys=(("device_id", "ts"),),
    reference="asset_identifier",
    name_prefixes=("telemetry", "raw_telemetry"),
    sniff_columns=("ts",),
    range_column="ts",
    also_check=("raw_telemetry_archive",),
)

PAYMENTS = FileSpec(
    kind="payments",
    table="payments",
    fields=(
        Field("id", "uuid", in_file=True, required=True),
        Field("account_id", "uuid", in_file=True, required=True),
        Field("due_date", "date", in_file=True, required=True),
        Field("paid_date", "date"),
        Field("amount_due", "number", in_file=True, required=True, bounds="money_range"),
        Field("amount_paid", "number", bounds="money_range"),
        Field("payment_method", "text"),
        Field("status", "enum", in_file=True, required=True, choices=PAYMENT_STATUSES),
        Field("bounce_reason", "text"),
        Field("created_at", "timestamp", not_future=True),
    ),
    keys=(("id",),),
    reference="account",
    name_prefixes=("payments",),
    sniff_columns=("amount_due", "status"),
)

REPAYMENT_SCHEDULE = FileSpec(
    kind="repayment_schedule",
    table="repayment_schedule",
    fields=(
        Field("id", "uuid", in_file=True, required=True),
        Field("account_id", "uuid", in_file=True, required=True),
        Field("installment_number", "integer", in_file=True, required=True, bounds="installment_range"),
        Field("due_date", "date", in_file=True, required=True),
        Field("principal_component", "number", bounds="money_range"),
        Field("interest_component", "number", bounds="money_range"),
        Field("total_due", "number", in_file=True, required=True, bounds="money_range"),
        Field("created_at", "timestamp", not_future=True),
    ),
    # the keys staging tests hold unique (tests/python/test_loader_hardening.py compares them)
    keys=(("id",), ("account_id", "installment_number"), ("account_id", "due_date")),
    reference="account",
    name_prefixes=("repayment_schedule", "schedule"),
    sniff_columns=("installment_number", "total_due"),
)

SPECS = {s.kind: s for s in (TELEMETRY, PAYMENTS, REPAYMENT_SCHEDULE)}


def detect(file_name: str, columns: list[str], kind: str | None = None) -> FileSpec:
    """The spec for a file: `kind` if given, else by file name prefix, else by columns."""
    from predelq.loader.readers import Refused

    if kind:
        return SPECS[kind]
    name = file_name.lower()
    for spec in SPECS.values():
        if any(name.startswith(p) for p in spec.name_prefixes):
            return spec
    cols = set(columns)
    for spec in SPECS.values():
        if set(spec.sniff_columns) <= cols and (spec.kind != "telemetry" or cols & _id_columns()):
            return spec
    raise Refused(
        "cannot tell what the file holds: name it telemetry*, payments* or repayment_schedule*, "
        "or pass --kind"
    )


def _id_columns() -> set[str]:
    return {*IDENTIFIER_TYPES, "identifier_type"}


def missing_columns(spec: FileSpec, columns: list[str]) -> list[str]:
    """Columns the file must have but does not (telemetry also needs an identifier column)."""
    cols = set(columns)
    missing = [f.name for f in spec.fields if f.in_file and f.name not in cols]
    if spec.reference == "asset_identifier":
        has_pair = "identifier_type" in cols and ({"identifier", "identifier_value"} & cols)
        if not has_pair and not (cols & set(IDENTIFIER_TYPES)):
            missing.insert(0, "device_id (or vin, registration, identifier_type + identifier)")
    return missing
