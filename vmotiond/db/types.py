"""Column types shared by the models and the migrations."""

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql


class JsonEncoded(sa.types.TypeDecorator[Any]):
    """A JSON document kept as text, the same on every backend."""

    impl = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, sort_keys=True)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


# Times to the microsecond on every backend: MariaDB's plain DATETIME keeps
# whole seconds, which would lose the order of moves started together.
PreciseDateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")


def exact_string(length: int) -> sa.types.TypeEngine[str]:
    """A VARCHAR compared case-sensitively on every backend (MariaDB's
    default collations ignore case)."""
    return sa.String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"),
        "mysql")
