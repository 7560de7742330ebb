"""DATETIME values decoded in C for the MySQL drivers.

PyMySQL and mysqlclient turn every DATETIME value into a ``datetime`` in
Python (a regular expression or slicing, about 2 us a value); a page of
100 vmoves holds up to 500 of them.
``datetime.fromisoformat`` reads MySQL's ``YYYY-MM-DD HH:MM:SS[.ffffff]``
in C several times faster. Anything else (a zero date, say) goes to
the driver's own converter, so every result is the driver's.
"""

from collections.abc import Callable
import datetime
import importlib
import re
from typing import Any

import sqlalchemy as sa

# SQLAlchemy driver name -> the driver's module of converters.
_CONVERTERS = {"pymysql": "pymysql.converters",
               "mysqldb": "MySQLdb.converters"}
_DATETIME_TYPES = (7, 12)  # FIELD_TYPE.TIMESTAMP, FIELD_TYPE.DATETIME
_LAYOUT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?", re.ASCII)


class Decoder:
    """A DATETIME converter that parses in C, else calls ``fallback``.

    Only MySQL's own layout takes the fast path; whatever else
    ``fromisoformat`` would accept (time zones, week dates) is left to
    the driver, so both give the same answer for every string.
    """

    __slots__ = ("fallback",)

    def __init__(self, fallback: Callable[[Any], Any]) -> None:
        self.fallback = fallback

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str) and _LAYOUT.fullmatch(value):
            try:
                return datetime.datetime.fromisoformat(value)
            except ValueError:
                pass
        return self.fallback(value)


def install(engine: sa.Engine) -> None:
    """Make the new connections of a MySQL ``engine`` decode in C.

    An oslo.db ``on_engine_create`` hook: the connection oslo.db opened
    to test the URL is dropped so that every pooled one decodes alike.
    Other backends are left alone.
    """
    module = _CONVERTERS.get(engine.dialect.driver)
    if module is None:
        return
    conv = dict(importlib.import_module(module).conversions)
    for field_type in _DATETIME_TYPES:
        conv[field_type] = Decoder(conv[field_type])

    def pass_converters(dialect: Any, record: Any, cargs: Any,
                        cparams: dict[str, Any]) -> None:
        cparams["conv"] = conv

    sa.event.listen(engine, "do_connect", pass_converters)
    engine.pool.dispose()
