"""CSV exports cannot run formulas: risky text gets a leading apostrophe, numbers stay numbers."""

import csv
import io
from decimal import Decimal

import pytest

from workforce.csv_safety import safe_cell, stream_safe_csv, write_safe_csv


@pytest.mark.parametrize(
    "text", ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")']
)
def test_text_that_could_be_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["RP5", "2025-06", "a=b", "", "O'Neil"])
def test_ordinary_text_is_unchanged(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("number", [-3, -2.5, Decimal("-0.75"), 0])
def test_numbers_stay_numbers_even_when_negative(number):
    assert safe_cell(number) == number


def test_none_and_booleans_are_written_plainly():
    assert (safe_cell(None), safe_cell(True), safe_cell(False)) == ("", "Y", "N")


def test_write_safe_csv_makes_every_cell_safe():
    out = io.StringIO()
    write_safe_csv(out, [["=cmd|' /C calc'!A0", 2, "-1"]], header=["a", "b", "c"])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["a", "b", "c"], ["'=cmd|' /C calc'!A0", "2", "'-1"]]


def test_streamed_csv_is_the_same_as_written_csv():
    rows = [["@x", 1], ["ok", None]]
    out = io.StringIO()
    write_safe_csv(out, rows, header=["h1", "h2"])
    assert "".join(stream_safe_csv(rows, header=["h1", "h2"])) == out.getvalue()
