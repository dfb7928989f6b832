"""`ml.model_registry`: register trained models, find the active one per horizon, load artifacts.

One row per trained model (name + version unique). Per horizon at most one row is
active; activating a model deactivates the others of that horizon in the same
transaction. `storage_path` is relative to the project folder when the artifact
lives inside it, absolute otherwise.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from ml import config
from ml.db import Db
from predelq.errors import UserError


@dataclass(frozen=True)
class RegisteredModel:
    id: str
    name: str
    version: str
    horizon_days: int
    storage_path: str
    training_data_start: object
    training_data_end: object

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    def artifact_path(self) -> Path:
        path = Path(self.storage_path)
        return path if path.is_absolute() else config.PROJECT_DIR / path


def storage_path(path: Path) -> str:
    path = path.resolve()
    try:
        return str(path.relative_to(config.PROJECT_DIR))
    except ValueError:
        return str(path)


def next_version(db: Db, name: str) -> str:
    rows = db.query(f"select version from {config.REGISTRY_TABLE} where name = %s", [name])
    numbers = [int(v[1:]) for (v,) in rows if v.startswith("v") and v[1:].isdigit()]
    return f"v{max(numbers, default=0) + 1}"


def register(db: Db, entry: dict, activate: bool) -> str:
    """Insert one registry row (inside the caller's transaction); returns its id."""
    model_id = str(uuid.uuid4())
    db.execute(
        f"insert into {config.REGISTRY_TABLE} (id, name, version, horizon_days, description, "
        "storage_path, trained_at, training_data_start, training_data_end, metrics, is_active, "
        "created_by, created_at) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            model_id,
            entry["name"],
            entry["version"],
            int(entry["horizon_days"]),
            entry["description"],
            entry["storage_path"],
            entry["trained_at"],
            entry["training_data_start"],
            entry["training_data_end"],
            json.dumps(entry["metrics"], sort_keys=True, default=str),
            False,
            config.created_by(),
            entry["trained_at"],
        ],
    )
    if activate:
        set_active(db, model_id, int(entry["horizon_days"]))
    return model_id


def set_active(db: Db, model_id: str, horizon_days: int) -> None:
    with db.transaction():
        db.execute(
            f"update {config.REGISTRY_TABLE} set is_active = false where horizon_days = %s and id <> %s",
            [horizon_days, model_id],
        )
        db.execute(f"update {config.REGISTRY_TABLE} set is_active = true where id = %s", [model_id])


def active_models(db: Db) -> dict[int, RegisteredModel]:
    """The active model per horizon (horizons without one are absent)."""
    schema, table = config.REGISTRY_TABLE.split(".")
    if not db.relation_exists(schema, table):
        return {}
    rows = db.query(
        f"select id, name, version, horizon_days, storage_path, training_data_start, training_data_end "
        f"from {config.REGISTRY_TABLE} where is_active order by horizon_days, created_at desc"
    )
    out: dict[int, RegisteredModel] = {}
    for r in rows:
        out.setdefault(int(r[3]), RegisteredModel(str(r[0]), r[1], r[2], int(r[3]), r[4], r[5], r[6]))
    return out


def load_artifact(model: RegisteredModel) -> dict:
    import joblib

    path = model.artifact_path()
    if not path.exists():
        raise UserError(
            f"artifact of active model {model.label} (horizon {model.horizon_days}d) not found at {path}; "
            "retrain with `predelq train` or set PREDELQ_ML_ARTIFACTS"
        )
    artifact = joblib.load(path)
    for key in ("model", "feature_columns", "reference"):
        if key not in artifact:
            raise UserError(f"artifact {path} of {model.label} is incomplete: no {key!r}")
    return artifact
