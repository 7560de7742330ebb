"""The C DATETIME decoder answers exactly as the driver's own."""

from collections.abc import Callable
import datetime
from typing import Any

import hypothesis
from hypothesis import strategies as st
from MySQLdb import converters as mysqldb_converters
from MySQLdb.constants import FIELD_TYPE
from pymysql import converters
import testtools

from vmotiond.db import mysql_datetime

DRIVER = converters.convert_datetime
FAST = mysql_datetime.Decoder(DRIVER)
MYSQLDB = mysqldb_converters.conversions[FIELD_TYPE.DATETIME]
FAST_MYSQLDB = mysql_datetime.Decoder(MYSQLDB)

# Strings shaped like MySQL's, and near misses: other separators,
# fractions of 0-8 digits, time zones, impossible dates.
_NEAR = st.builds(
    "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}{}{}".format,
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32),
    st.sampled_from([" ", "T", "  "]), st.integers(0, 25),
    st.integers(0, 61), st.integers(0, 61),
    st.one_of(st.just(""), st.text("0123456789", min_size=0, max_size=8)
              .map(lambda digits: "." + digits)),
    st.sampled_from(["", "Z", "+01:00", "-0530"]))
_NOISE = st.text("0123456789-: .T+Z", max_size=30)


def _outcome(convert: Callable[[str], Any], value: str) -> tuple[str, Any]:
    """What ``convert`` does with ``value``: its result or its error."""
    try:
        return "returns", convert(value)
    except Exception as exc:  # PyMySQL raises on some strings, so must we
        return "raises", type(exc)


class FastDecoderTest(testtools.TestCase):

    def test_mysql_layout_is_parsed(self) -> None:
        self.assertEqual(datetime.datetime(2025, 3, 11, 10, 39, 54, 123456),
                         FAST("2025-03-11 10:39:54.123456"))
        self.assertEqual(datetime.datetime(2025, 3, 11, 10, 39, 54),
                         FAST("2025-03-11 10:39:54"))
        self.assertEqual(datetime.datetime(2025, 3, 11, 10, 39, 54, 100000),
                         FAST("2025-03-11 10:39:54.1"))

    def test_zero_date_is_left_to_the_driver(self) -> None:
        self.assertEqual("0000-00-00 00:00:00", FAST("0000-00-00 00:00:00"))

    def test_time_zones_are_left_to_the_driver(self) -> None:
        # fromisoformat would return an aware datetime; PyMySQL a string.
        self.assertEqual("2025-03-11 10:39:54+01:00",
                         FAST("2025-03-11 10:39:54+01:00"))

    def test_bytes_are_left_to_the_driver(self) -> None:
        self.assertEqual(datetime.datetime(2025, 3, 11, 10, 39, 54),
                         FAST(b"2025-03-11 10:39:54"))

    @hypothesis.settings(max_examples=3000, deadline=None)
    @hypothesis.given(st.one_of(_NEAR, _NOISE))
    def test_same_answer_as_pymysql(self, value: str) -> None:
        self.assertEqual(_outcome(DRIVER, value), _outcome(FAST, value))

    @hypothesis.settings(max_examples=3000, deadline=None)
    @hypothesis.given(st.one_of(_NEAR, _NOISE))
    def test_same_answer_as_mysqlclient(self, value: str) -> None:
        self.assertEqual(_outcome(MYSQLDB, value),
                         _outcome(FAST_MYSQLDB, value))

    @hypothesis.settings(max_examples=1000, deadline=None)
    @hypothesis.given(st.datetimes())
    def test_every_datetime_round_trips(self, value: datetime.datetime
                                        ) -> None:
        text = value.isoformat(sep=" ")
        self.assertEqual(value, FAST(text))
        self.assertEqual(DRIVER(text), FAST(text))

