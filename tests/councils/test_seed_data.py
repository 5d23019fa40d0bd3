"""Shape and integrity of the NHS England organisation tree seed (councils/seed_data/england.json).

Runs without Django: it only reads the JSON file.
"""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENGLAND_JSON = REPO / "councils" / "seed_data" / "england.json"

REGIONS = {
    "Y56": "London",
    "Y58": "South West",
    "Y59": "South East",
    "Y60": "Midlands",
    "Y61": "East of England",
    "Y62": "North West",
    "Y63": "North East and Yorkshire",
}
ICS_PER_REGION = {"Y56": 5, "Y58": 7, "Y59": 6, "Y60": 11, "Y61": 6, "Y62": 3, "Y63": 4}
SYB_PLACES = ["Barnsley", "Bassetlaw", "Doncaster", "Rotherham", "Sheffield"]


@pytest.fixture(scope="module")
def data():
    with ENGLAND_JSON.open(encoding="utf-8") as fh:
        return json.load(fh)


def icss(data):
    return [ics for region in data["regions"] for ics in region["icss"]]


def providers(data):
    return [p for place in data["syb"]["places"] for p in place["providers"]]


def test_england_root(data):
    assert data["england"] == {"code": "ENG", "name": "NHS England"}


def test_seven_regions_with_ods_codes(data):
    assert len(data["regions"]) == 7
    assert {r["code"]: r["name"] for r in data["regions"]} == REGIONS


def test_forty_two_icss(data):
    assert len(icss(data)) == 42
    assert {r["code"]: len(r["icss"]) for r in data["regions"]} == ICS_PER_REGION
    for ics in icss(data):
        assert re.fullmatch(r"Q[A-Z0-9]{2}", ics["code"]), ics
        assert ics["name"].strip() and ics["short_name"].strip()
        assert ics["short_name"] in ics["name"]


def test_syb_is_qf7_in_north_east_and_yorkshire(data):
    region = next(r for r in data["regions"] if r["code"] == "Y63")
    syb = next(i for i in region["icss"] if i["code"] == "QF7")
    assert syb["name"] == "South Yorkshire and Bassetlaw Integrated Care System"
    assert syb["short_name"] == "South Yorkshire and Bassetlaw"
    assert data["syb"]["ics_code"] == "QF7"


def test_codes_unique(data):
    codes = (
        [data["england"]["code"]]
        + [r["code"] for r in data["regions"]]
        + [i["code"] for i in icss(data)]
        + [p["code"] for p in data["syb"]["places"]]
        + [p["code"] for p in providers(data)]
    )
    assert len(codes) == len(set(codes)), sorted(c for c in set(codes) if codes.count(c) > 1)
    names = [i["name"] for i in icss(data)]
    assert len(names) == len(set(names))


def test_syb_five_places_each_with_providers(data):
    places = data["syb"]["places"]
    assert [p["name"] for p in places] == SYB_PLACES
    for place in places:
        assert place["code"].startswith("QF7-")
        assert len(place["providers"]) >= 1, place["name"]
        for provider in place["providers"]:
            if provider["type"] in ("local_authority", "community") and "note" in provider:
                # a council service or a community interest company: a stable local code
                assert re.fullmatch(r"[A-Z]{2,3}-[A-Z]{3}-[A-Z0-9]{2}", provider["code"]), provider
            else:  # an NHS trust: its ODS code
                assert re.fullmatch(r"[RT][A-Z0-9]{2}", provider["code"]), provider
            assert provider["name"].strip()


def test_each_provider_under_exactly_one_place(data):
    codes = [p["code"] for p in providers(data)]
    assert len(codes) == len(set(codes))


def test_known_syb_providers(data):
    by_place = {
        place["name"]: {p["code"] for p in place["providers"]} for place in data["syb"]["places"]
    }
    assert {"RHQ", "RCU", "TAH"} <= by_place["Sheffield"]
    assert {"RP5", "RXE"} <= by_place["Doncaster"]
    assert "RFR" in by_place["Rotherham"]
    assert {"RFF", "RXG"} <= by_place["Barnsley"]
    assert "RHA" in by_place["Bassetlaw"]
    # issue 19: the ambulance trust, a council therapy service and a community interest company
    assert "RX8" in by_place["Sheffield"]
    assert "LA-DON-OT" in by_place["Doncaster"]
    assert "CIC-BAR-01" in by_place["Barnsley"]
    types = {p["code"]: p["type"] for p in providers(data)}
    assert (types["RX8"], types["LA-DON-OT"], types["CIC-BAR-01"]) == (
        "ambulance",
        "local_authority",
        "community",
    )
