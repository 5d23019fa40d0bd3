"""The synthetic data generator: deterministic, the upload format, realistic shapes."""

import csv
import importlib
import io
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse

from ahpportal.months import month_end
from councils.models import Level, Organisation
from workforce import demo, synthetic, synthetic_people, synthetic_tree
from workforce.models import Activity, ImportRun, ImportRunProvider, Staff, StaffMonth, StaffSurvey
from workforce.synthetic import COLUMNS, DATASETS

EXPECTED_HEADERS = {
    "staff": "provider_code,staff_id,profession,band,fte,contract,start_date,end_date,"
    "leaving_reason,ethnic_group,disability,apprentice,advanced_practice,return_to_practice,"
    "job_plan,e_rostered,age_band,sex,apprenticeship_level,qualification_level,dcc_sessions",
    "staff_month": "provider_code,staff_id,month,sickness_days_lost,days_available,"
    "appraised_12m,mandatory_training_pct",
    "establishment": "provider_code,profession,band,month,funded_fte",
    "activity": "provider_code,profession,month,contacts,clinical_hours,dna,waiting_total,"
    "waiting_over_18w,fft_responses,fft_positive,prom_completed,prom_improved",
    "spend": "provider_code,month,pay_bill,bank_spend,agency_spend",
    "staff_survey": "provider_code,year,respondents,engagement_score,recommend_workplace",
    "placements": "provider_code,profession,quarter,offered,requested,filled",
}
SYB_PROVIDERS = {
    "RFF",
    "RXG",
    "RHA",
    "RP5",
    "RXE",
    "RFR",
    "RHQ",
    "RCU",
    "TAH",
    "RX8",
    "LA-DON-OT",
    "CIC-BAR-01",
}
TINY_PROFESSIONS = (
    "therapeutic_radiographer",
    "prosthetist_orthotist",
    "orthoptist",
    "art_therapist",
    "dramatherapist",
    "music_therapist",
    "osteopath",
)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    synthetic.generate(out_dir=out, scale="demo", seed=1)
    return out


def rows(directory: Path, dataset: str) -> list[dict]:
    with (directory / f"{dataset}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def iso(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def in_post(person: dict, day: date) -> bool:
    end = iso(person["end_date"])
    return iso(person["start_date"]) <= day and (end is None or end > day)


def test_same_seed_gives_byte_identical_files(tmp_path, demo_dir):
    synthetic.generate(out_dir=tmp_path, scale="demo", seed=1)
    for dataset in DATASETS:
        name = f"{dataset}.csv"
        assert (tmp_path / name).read_bytes() == (demo_dir / name).read_bytes(), dataset


def test_a_different_seed_gives_different_files(tmp_path, demo_dir):
    synthetic.generate(out_dir=tmp_path, scale="demo", seed=2)
    for dataset in ("staff", "staff_month", "activity", "spend"):
        name = f"{dataset}.csv"
        assert (tmp_path / name).read_bytes() != (demo_dir / name).read_bytes(), dataset


def test_each_file_has_exactly_the_upload_columns(demo_dir):
    assert set(DATASETS) == set(EXPECTED_HEADERS)
    for dataset in DATASETS:
        raw = (demo_dir / f"{dataset}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        header = raw.decode("utf-8").split("\n", 1)[0]
        assert header == EXPECTED_HEADERS[dataset]
        assert ",".join(COLUMNS[dataset]) == EXPECTED_HEADERS[dataset]


def test_values_use_the_upload_vocabulary(demo_dir):
    professions = importlib.import_module("workforce.migrations.0002_professions").PROFESSIONS
    staff = rows(demo_dir, "staff")
    assert {r["band"] for r in staff} <= set(synthetic_people.BANDS)
    assert {r["contract"] for r in staff} == {"permanent", "fixed_term", "bank"}
    assert {r["ethnic_group"] for r in staff} == {"white", "ethnic_minority", "not_stated"}
    assert {r["disability"] for r in staff} == {"yes", "no", "not_stated"}
    assert {r["profession"] for r in staff} <= {code for code, _, _ in professions}
    for flag in ("apprentice", "advanced_practice", "return_to_practice", "job_plan", "e_rostered"):
        assert {r[flag] for r in staff} == {"Y", "N"}, flag
    for person in staff:
        assert 0 < float(person["fte"]) <= 1
        end = iso(person["end_date"])
        assert end is None or end >= iso(person["start_date"])
        assert bool(end) == bool(person["leaving_reason"])
    keys = Counter((r["provider_code"], r["staff_id"]) for r in staff)
    assert max(keys.values()) == 1
    months = {r["month"] for r in rows(demo_dir, "staff_month")}
    assert all(m.endswith("-01") for m in months)


def test_demo_scale_covers_every_syb_provider_for_24_months(demo_dir):
    syb = {p.code for p in synthetic_tree.syb_providers()}
    assert syb == SYB_PROVIDERS
    expected_months = [m.isoformat() for m in synthetic.window_months(date(2026, 10, 1))]
    assert expected_months[0] == "2024-10-01" and expected_months[-1] == "2026-09-01"
    for dataset in ("staff_month", "establishment", "activity", "spend"):
        data = rows(demo_dir, dataset)
        assert {r["provider_code"] for r in data} == syb, dataset
        assert sorted({r["month"] for r in data}) == expected_months, dataset
    assert {r["provider_code"] for r in rows(demo_dir, "staff")} == syb
    survey = rows(demo_dir, "staff_survey")
    assert {(r["provider_code"], r["year"]) for r in survey} == {
        (code, year) for code in syb for year in ("2024", "2025")
    }
    assert 2_000 <= len(rows(demo_dir, "staff")) <= 4_000


def test_a_few_providers_have_not_sent_the_latest_month(demo_dir):
    latest = "2026-09-01"
    sent = {r["provider_code"] for r in rows(demo_dir, "spend") if r["month"] == latest}
    assert len(SYB_PROVIDERS) - 3 <= len(sent) < len(SYB_PROVIDERS)


def test_provider_sizes_vary(demo_dir):
    sizes = Counter(r["provider_code"] for r in rows(demo_dir, "staff"))
    assert max(sizes.values()) > 3 * min(sizes.values())


@pytest.fixture(scope="module")
def demo_staff(demo_dir):
    return rows(demo_dir, "staff")


def test_the_supply_columns_have_realistic_shapes(demo_staff):
    assert {p["age_band"] for p in demo_staff} == {
        "under_25",
        "25_34",
        "35_44",
        "45_54",
        "55_64",
        "65_plus",
        "not_stated",
    }
    assert {p["sex"] for p in demo_staff} == {"female", "male", "not_stated"}

    def older(people):
        stated = [p for p in people if p["age_band"] != "not_stated"]
        return sum(p["age_band"] in ("55_64", "65_plus") for p in stated) / len(stated)

    podiatrists = [p for p in demo_staff if p["profession"] == "podiatrist"]
    assert older(podiatrists) > older(demo_staff) > 0.05
    female = [p["sex"] == "female" for p in demo_staff if p["sex"] != "not_stated"]
    assert 0.65 <= sum(female) / len(female) <= 0.9  # paramedics (RX8) are about half male
    apprentices = [p for p in demo_staff if p["apprentice"] == "Y"]
    assert apprentices and all(p["band"] in ("2", "3", "4", "5") for p in apprentices)
    assert {p["apprenticeship_level"] for p in apprentices} >= {"2", "3", "4", "5", "6"}
    assert {p["apprenticeship_level"] for p in demo_staff if p["apprentice"] == "N"} == {""}
    assert {p["apprenticeship_level"] for p in apprentices if p["band"] == "2"} <= {"", "2", "3"}
    support = [
        p
        for p in demo_staff
        if p["band"] in ("3", "4") and p["qualification_level"] != "not_stated"
    ]
    qualified = sum(int(p["qualification_level"]) >= 3 for p in support) / len(support)
    assert 0.45 <= qualified <= 0.9
    registered = {p["qualification_level"] for p in demo_staff if p["band"] in ("5", "6", "7")}
    assert registered <= {"6", "7", "8", "not_stated"}
    for p in demo_staff:
        if p["dcc_sessions"]:
            assert p["job_plan"] == "Y"
            assert 0 < float(p["dcc_sessions"]) <= 10 * float(p["fte"])
    with_dcc = [p for p in demo_staff if p["dcc_sessions"] and p["contract"] != "bank"]
    per_fte = sum(float(p["dcc_sessions"]) for p in with_dcc) / sum(
        float(p["fte"]) for p in with_dcc
    )
    assert 6.5 <= per_fte <= 8.5


def test_the_new_syb_providers_have_data_of_their_kind(demo_staff):
    def mix(code):
        counts = Counter(p["profession"] for p in demo_staff if p["provider_code"] == code)
        return {k: v / sum(counts.values()) for k, v in counts.items()}

    assert mix("RX8")["paramedic"] > 0.9
    assert mix("LA-DON-OT")["occupational_therapist"] > 0.5
    assert mix("CIC-BAR-01").keys() <= set(synthetic_people.PROFESSION_MIX["cic"])
    sizes = Counter(p["provider_code"] for p in demo_staff)
    assert sizes["RX8"] > sizes["CIC-BAR-01"] and sizes["RX8"] > sizes["LA-DON-OT"]


def test_placements_each_quarter_with_demand_above_capacity(demo_dir):
    placements = rows(demo_dir, "placements")
    assert {r["quarter"] for r in placements} == {
        f"{year}-{month:02d}"
        for year, month in ((2024, 10), (2025, 1), (2025, 4), (2025, 7), (2025, 10))
        + ((2026, 1), (2026, 4), (2026, 7))
    }
    assert {r["provider_code"] for r in placements} == SYB_PROVIDERS
    offered = sum(int(r["offered"]) for r in placements)
    assert all(int(r["filled"]) <= int(r["offered"]) for r in placements)
    assert 0.75 <= sum(int(r["filled"]) for r in placements) / offered <= 0.98
    assert sum(int(r["requested"]) for r in placements) > offered


def test_turnover_is_about_ten_percent_a_year(demo_staff):
    end = date(2026, 8, 31)
    start = date(2025, 8, 31)
    contracted = [p for p in demo_staff if p["contract"] != "bank"]
    leavers = sum(1 for p in contracted if p["end_date"] and start < iso(p["end_date"]) <= end)
    mean_headcount = (
        sum(in_post(p, start) for p in contracted) + sum(in_post(p, end) for p in contracted)
    ) / 2
    assert 0.06 <= leavers / mean_headcount <= 0.14


def test_sickness_is_about_four_to_five_percent(demo_dir):
    data = rows(demo_dir, "staff_month")
    lost = sum(float(r["sickness_days_lost"]) for r in data)
    available = sum(float(r["days_available"]) for r in data)
    assert 0.03 <= lost / available <= 0.06


def test_vacancy_is_about_eight_to_ten_percent(demo_dir, demo_staff):
    month = date(2026, 3, 1)
    day = month_end(month)
    in_post_fte = defaultdict(float)
    for p in demo_staff:
        if p["contract"] != "bank" and in_post(p, day):
            in_post_fte[p["provider_code"], p["profession"], p["band"]] += float(p["fte"])
    funded = {
        (r["provider_code"], r["profession"], r["band"]): float(r["funded_fte"])
        for r in rows(demo_dir, "establishment")
        if r["month"] == month.isoformat()
    }
    gap = sum(max(0.0, fte - in_post_fte[key]) for key, fte in funded.items())
    assert 0.05 <= gap / sum(funded.values()) <= 0.12


def test_ethnic_minority_share_falls_with_band(demo_staff):
    def share(bands):
        known = [p for p in demo_staff if p["band"] in bands and p["ethnic_group"] != "not_stated"]
        return sum(p["ethnic_group"] == "ethnic_minority" for p in known) / len(known)

    band_5 = share({"5"})
    senior = share({"8c", "8d", "9"})
    assert senior < band_5
    assert 0.14 <= band_5 <= 0.26
    assert 0.08 <= share(set(synthetic_people.BANDS)) <= 0.2


def test_small_professions_are_really_small(demo_staff):
    counts = Counter(p["profession"] for p in demo_staff)
    total = len(demo_staff)
    for profession in TINY_PROFESSIONS:
        assert counts[profession] / total < 0.02, profession
    for profession in ("physiotherapist", "occupational_therapist", "diagnostic_radiographer"):
        assert counts[profession] / total > 0.08, profession


def test_paramedics_work_mostly_at_ambulance_services(tmp_path):
    out = synthetic.generate(out_dir=tmp_path, scale="england", seed=3, staff=20_000)
    assert out["staff"] > 15_000
    plans = {p.code: p.kind for p in synthetic.providers_for("england")}
    paramedics = Counter(
        plans[r["provider_code"]] for r in rows(tmp_path, "staff") if r["profession"] == "paramedic"
    )
    assert paramedics["ambulance"] > 0.8 * sum(paramedics.values())
    assert {r["provider_code"] for r in rows(tmp_path, "spend")} == set(plans)


def test_england_plan_has_about_240_providers_in_7_regions_and_42_icss():
    places, providers = synthetic_tree.england_plan()
    assert 220 <= len(providers) <= 260
    assert len({p.code for p in providers}) == len(providers)
    assert len({p.region_code for p in providers}) == 7
    ics_codes = {place.ics_code for place in places} | {"QF7"}
    assert len(ics_codes) == 42
    # one ambulance service, local authority therapy service and community interest company per
    # region, and SYB's own (Yorkshire Ambulance Service is placed in SYB)
    assert sum(p.kind == "ambulance" for p in providers) == 8
    assert sum(p.provider_type == "local_authority" for p in providers) == 8
    assert sum(p.kind == "cic" for p in providers) == 8
    assert {p.provider_type for p in providers} == {
        "acute",
        "community",
        "mental_health",
        "ambulance",
        "local_authority",
    }


def test_ensure_england_providers_builds_the_synthetic_tree(england_tree):
    count = synthetic_tree.ensure_england_providers()
    places, providers = synthetic_tree.england_plan()
    assert count == len(providers)
    assert Organisation.objects.filter(level=Level.ICS).count() == 42
    assert Organisation.objects.filter(level=Level.REGION).count() == 7
    for ics in Organisation.objects.filter(level=Level.ICS):
        assert Organisation.objects.below(ics).filter(level=Level.PROVIDER).exists(), ics.code
    place = Organisation.objects.get(code="QMJ-P1")
    assert place.level == Level.PLACE
    assert place.get_parent().code == "QMJ"
    provider = Organisation.objects.get(code="QMJ-P1-T1")
    assert provider.get_parent() == place
    assert provider.name == "North Central London Hospitals Trust 1"
    # SYB keeps its real providers only.
    syb = Organisation.objects.get(code="QF7")
    syb_providers = Organisation.objects.below(syb).filter(level=Level.PROVIDER)
    assert {o.code for o in syb_providers} == {p.code for p in synthetic_tree.syb_providers()}
    # Running it again changes nothing.
    total = Organisation.objects.count()
    assert synthetic_tree.ensure_england_providers() == count
    assert Organisation.objects.count() == total


def test_generate_synthetic_command_writes_the_seven_files(tmp_path):
    out = io.StringIO()
    call_command(
        "generate_synthetic", "--scale", "demo", "--seed", "5", "--out", str(tmp_path), stdout=out
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{d}.csv" for d in DATASETS)
    assert "staff.csv:" in out.getvalue()
    again = tmp_path / "again"
    synthetic.generate(out_dir=again, scale="demo", seed=5)
    assert (again / "staff.csv").read_bytes() == (tmp_path / "staff.csv").read_bytes()


def test_generate_synthetic_writes_to_a_default_directory_and_says_where(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    call_command("generate_synthetic", "--scale", "demo", "--seed", "1", stdout=out)  # the issue's
    written = tmp_path / "synthetic-data" / "demo-seed1"
    assert sorted(p.name for p in written.iterdir()) == sorted(f"{d}.csv" for d in DATASETS)
    assert f"to {written.resolve()}" in out.getvalue()


def test_a_file_over_the_upload_limit_is_cut_into_parts_on_row_boundaries(tmp_path, demo_dir):
    source = demo_dir / "staff_month.csv"
    copy = tmp_path / "staff_month.csv"
    copy.write_bytes(source.read_bytes())
    parts = synthetic._parts(copy, max_bytes=400_000)
    assert len(parts) > 1
    header = source.read_text().split("\n", 1)[0] + "\n"
    body = []
    for part in parts:
        text = part.read_text()
        assert text.startswith(header)
        assert len(part.read_bytes()) <= 400_000
        body.append(text[len(header) :])
    assert header + "".join(body) == source.read_text()
    assert synthetic._parts(copy, max_bytes=10**9) == [copy]


def test_the_demo_data_imports_through_the_real_path_with_no_errors(england_tree, client_for):
    out = io.StringIO()
    demo.load(stdout=out)
    runs = list(ImportRun.objects.order_by("pk"))
    assert [run.dataset for run in runs] == list(DATASETS)
    assert all(run.status == ImportRun.Status.COMMITTED for run in runs)
    assert sum(run.error_count for run in runs) == 0
    assert {run.organisation.code for run in runs} == {"QF7"}
    syb = {p.code for p in synthetic_tree.syb_providers()}
    assert set(Staff.objects.values_list("provider__code", flat=True).distinct()) == syb
    assert Staff.objects.count() == runs[0].rows_total == runs[0].rows_added
    assert StaffMonth.objects.count() == runs[1].rows_total
    assert Activity.objects.count() == runs[3].rows_total
    assert StaffSurvey.objects.count() == runs[5].rows_total
    assert "rows added" in out.getvalue()
    # Each provider's share of the ICS-level files is recorded, so its own history lists them.
    shares = ImportRunProvider.objects.filter(run__in=runs)
    assert {(s.run.dataset, s.provider.code) for s in shares.select_related("run", "provider")} >= {
        (dataset, code) for dataset in ("staff", "staff_month", "staff_survey") for code in syb
    }
    staff_by_provider = dict(
        Staff.objects.values("provider__code")
        .annotate(n=Count("pk"))
        .values_list("provider__code", "n")
    )
    assert staff_by_provider == dict(
        shares.filter(run=runs[0]).values_list("provider__code", "rows_added")
    )
    for run in runs:
        totals = run.provider_counts.aggregate(a=Sum("rows_added"), u=Sum("rows_updated"))
        assert (totals["a"], totals["u"] or 0) == (run.rows_added, run.rows_updated)
    for code in sorted(syb):  # `make run`: every provider's history page lists the demo files
        manager = client_for("data_manager", england_tree[code])
        page = manager.get(reverse("workforce:imports", args=[code])).content.decode()
        assert "No imports yet" not in page and "staff.csv" in page and "spend.csv" in page

    # Loading the demo again (make run twice) changes nothing.
    demo.load(stdout=io.StringIO())
    again = list(ImportRun.objects.order_by("pk"))[len(runs) :]
    assert all(run.status == ImportRun.Status.COMMITTED for run in again)
    assert sum(run.rows_added + run.rows_updated for run in again) == 0
    assert Staff.objects.count() == runs[0].rows_total
    unchanged = ImportRunProvider.objects.filter(run=again[0]).values_list(
        "provider__code", "rows_unchanged"
    )
    assert dict(unchanged) == staff_by_provider


def test_england_files_import_for_every_synthetic_provider(england_tree, tmp_path):
    synthetic_tree.ensure_england_providers()
    counts = synthetic.generate(out_dir=tmp_path, scale="england", seed=7, staff=2_500)
    england = Organisation.objects.get(code="ENG")
    runs = synthetic.import_directory(directory=tmp_path, organisation=england)
    assert [run.status for run in runs] == [ImportRun.Status.COMMITTED] * len(DATASETS)
    assert {run.dataset: run.rows_added for run in runs} == counts
    for run in runs:
        totals = run.provider_counts.aggregate(a=Sum("rows_added"), n=Count("pk"))
        assert totals["a"] == run.rows_added and totals["n"] == len(run.touched["provider_ids"])
    providers = {p.code for p in synthetic_tree.england_plan()[1]}
    assert set(Staff.objects.values_list("provider__code", flat=True).distinct()) == providers
