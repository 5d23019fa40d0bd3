"""Deterministic synthetic workforce data, written as the CSV files a provider would upload.

``generate(scale=..., seed=..., out_dir=...)`` writes one CSV per dataset (all providers in it),
row by row, so England scale needs the memory of one provider's staff, not of the whole file.
Loading goes through the real import path (``workforce.services.import_file``), never around it.

Every random draw comes from ``random.Random`` instances derived from the seed: the same seed,
scale, staff count and end month give byte-identical files. Shapes follow the seeds and NHS
workforce statistics closely enough to make the Quality Dashboard look like the real thing:

- turnover about 10% a year (permanent and fixed-term leavers, replaced by starters 1-4 months
  later, so vacancies open and close);
- sickness absence about 4-5% of available days, higher in winter;
- vacancy about 8-10% (funded FTE set per provider x profession x band above the starting in-post
  FTE, plus the gap while leavers are replaced);
- ethnic minority share by band as seed 001 reports it (about 20% at band 5, 8% at 8c,
  12% at 8d, 17% at band 9, 13% overall), varying by profession and higher in London;
- small professions really small (therapeutic radiographers, prosthetists and orthotists,
  orthoptists, arts therapists, osteopaths); paramedics mostly at ambulance services;
- provider sizes varying, and a few providers missing the latest month (and one or two an earlier
  month of activity and spend) so that completeness is visible.
"""

from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ahpportal.months import add_months, month_end, months_ending
from workforce.datasets import DATASETS as DATASETS_SPEC

SEED_FILE = Path(__file__).resolve().parent.parent / "councils" / "seed_data" / "england.json"

DATASETS = ("staff", "staff_month", "establishment", "activity", "spend", "staff_survey")

# The upload files' columns, in template order: the importer's own definition.
COLUMNS = {name: tuple(spec.column_names) for name, spec in DATASETS_SPEC.items()}

SCALES = {"demo": 3_000, "england": 150_000}  # staff rows (in post, leavers and bank) per scale
MONTHS = 24
DEFAULT_END_MONTH = date(2026, 10, 1)  # exclusive: the data runs to September 2026
HISTORY_MONTHS = (
    12  # simulated before the window so 12-month rolling turnover is right from the start
)

BANDS = ("2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")
REGISTERED_BANDS = ("5", "6", "7", "8a", "8b", "8c", "8d", "9")

# Relative size of each profession by kind of provider. Paramedics sit at ambulance services;
# arts therapists at mental health trusts; the small professions stay small everywhere.
PROFESSION_MIX = {
    "acute": {
        "physiotherapist": 24,
        "occupational_therapist": 14,
        "diagnostic_radiographer": 22,
        "operating_department_practitioner": 14,
        "speech_and_language_therapist": 5,
        "dietitian": 7,
        "podiatrist": 3,
        "therapeutic_radiographer": 1.6,
        "orthoptist": 1.0,
        "prosthetist_orthotist": 0.6,
        "paramedic": 0.8,
        "osteopath": 0.1,
    },
    "community": {
        "physiotherapist": 26,
        "occupational_therapist": 22,
        "speech_and_language_therapist": 14,
        "dietitian": 10,
        "podiatrist": 12,
        "orthoptist": 0.6,
        "prosthetist_orthotist": 0.4,
        "paramedic": 1.2,
        "osteopath": 0.3,
    },
    "mental_health": {
        "occupational_therapist": 40,
        "physiotherapist": 12,
        "speech_and_language_therapist": 12,
        "dietitian": 8,
        "podiatrist": 3,
        "art_therapist": 4,
        "dramatherapist": 1.6,
        "music_therapist": 1.2,
    },
    "children": {
        "physiotherapist": 30,
        "occupational_therapist": 22,
        "speech_and_language_therapist": 20,
        "dietitian": 10,
        "orthoptist": 4,
        "diagnostic_radiographer": 8,
        "operating_department_practitioner": 6,
        "prosthetist_orthotist": 1,
        "music_therapist": 1,
        "art_therapist": 1,
    },
    "ambulance": {"paramedic": 96, "occupational_therapist": 0.3, "physiotherapist": 0.3},
}
PROVIDER_SIZE = {"acute": 1.5, "community": 1.0, "mental_health": 0.7, "children": 0.5}
AMBULANCE_SIZE = 5.0

# The SYB ICS's real providers (councils/seed_data/england.json) by kind.
SYB_KINDS = {
    "RFF": "acute",
    "RXG": "mental_health",
    "RHA": "mental_health",
    "RP5": "acute",
    "RXE": "mental_health",
    "RFR": "acute",
    "RHQ": "acute",
    "RCU": "children",
    "TAH": "mental_health",
}

DEFAULT_BAND_MIX = {
    "2": 2,
    "3": 9,
    "4": 10,
    "5": 14,
    "6": 30,
    "7": 23,
    "8a": 8,
    "8b": 2.5,
    "8c": 1.0,
    "8d": 0.4,
    "9": 0.15,
}
BAND_MIX = {
    "paramedic": {"4": 2, "5": 18, "6": 62, "7": 13, "8a": 3.5, "8b": 1, "8c": 0.4, "8d": 0.1},
    "operating_department_practitioner": {
        "2": 3,
        "3": 12,
        "4": 8,
        "5": 30,
        "6": 34,
        "7": 10,
        "8a": 2.5,
        "8b": 0.5,
    },
    "osteopath": {"6": 30, "7": 55, "8a": 15},
    "art_therapist": {"6": 30, "7": 45, "8a": 18, "8b": 5, "8c": 2},
    "dramatherapist": {"6": 30, "7": 45, "8a": 18, "8b": 5, "8c": 2},
    "music_therapist": {"6": 30, "7": 45, "8a": 18, "8b": 5, "8c": 2},
}

# Seed 001: 13% of AHPs are from an ethnic minority background; band 8c 8%, 8d 12%, 9 17%.
ETHNIC_MINORITY_BY_BAND = {
    "2": 0.16,
    "3": 0.16,
    "4": 0.16,
    "5": 0.20,
    "6": 0.15,
    "7": 0.11,
    "8a": 0.095,
    "8b": 0.085,
    "8c": 0.08,
    "8d": 0.12,
    "9": 0.17,
}
# Seed 001: representation ranges from 6.8% to 23.5% across the professions.
ETHNIC_MINORITY_BY_PROFESSION = {
    "paramedic": 0.45,
    "diagnostic_radiographer": 1.45,
    "therapeutic_radiographer": 1.25,
    "operating_department_practitioner": 1.35,
    "podiatrist": 1.15,
    "physiotherapist": 1.05,
}
LONDON_REGION = "Y56"

# Annual cost of a whole-time post by band, with on-costs (pounds).
BAND_COST = {
    "2": 31_000,
    "3": 33_000,
    "4": 36_000,
    "5": 42_000,
    "6": 52_000,
    "7": 62_000,
    "8a": 72_000,
    "8b": 85_000,
    "8c": 101_000,
    "8d": 120_000,
    "9": 144_000,
}
# Contacts per registered (bands 5-9) FTE per month.
CONTACTS_PER_FTE = {
    "physiotherapist": 95,
    "occupational_therapist": 70,
    "speech_and_language_therapist": 60,
    "dietitian": 70,
    "podiatrist": 110,
    "diagnostic_radiographer": 240,
    "therapeutic_radiographer": 180,
    "orthoptist": 150,
    "prosthetist_orthotist": 70,
    "art_therapist": 45,
    "dramatherapist": 45,
    "music_therapist": 45,
    "osteopath": 100,
    "paramedic": 55,
    "operating_department_practitioner": 40,
}
NO_WAITING_LIST = {"paramedic", "operating_department_practitioner"}

LEAVING_REASONS = (
    ("Voluntary resignation - relocation", 22),
    ("Voluntary resignation - work life balance", 20),
    ("Voluntary resignation - promotion", 18),
    ("Retirement age", 14),
    ("Voluntary resignation - other", 14),
    ("Flexi retirement", 5),
    ("Dismissal - capability", 2),
)
END_OF_FIXED_TERM = "End of fixed term contract"

# Monthly leaving probability by contract (about 8%, 26% and 17% a year).
LEAVE_RATE = {"permanent": 0.007, "fixed_term": 0.025, "bank": 0.015}
# Expected staff rows per person in post at the start of the simulation (leavers are replaced).
ROWS_PER_INITIAL_POST = 1.32


@dataclass(frozen=True)
class ProviderPlan:
    """A provider the generator writes data for, and where it sits in the tree."""

    code: str
    name: str
    kind: str  # acute, community, mental_health, children, ambulance
    region_code: str
    place_code: str


@dataclass(frozen=True)
class PlacePlan:
    code: str
    name: str
    ics_code: str


def _tree_data(seed_file: Path = SEED_FILE) -> dict:
    return json.loads(seed_file.read_text())


def _syb_region(data: dict) -> str:
    for region in data["regions"]:
        if any(ics["code"] == data["syb"]["ics_code"] for ics in region["icss"]):
            return region["code"]
    raise ValueError("The SYB ICS is not in any region of the seed file")


def syb_providers(seed_file: Path = SEED_FILE) -> list[ProviderPlan]:
    """The SYB ICS's real providers, as ``manage.py load_tree`` creates them."""
    data = _tree_data(seed_file)
    region = _syb_region(data)
    return [
        ProviderPlan(
            code=provider["code"],
            name=provider["name"],
            kind=SYB_KINDS.get(provider["code"], "acute"),
            region_code=region,
            place_code=place["code"],
        )
        for place in data["syb"]["places"]
        for provider in place["providers"]
    ]


def england_plan(seed_file: Path = SEED_FILE) -> tuple[list[PlacePlan], list[ProviderPlan]]:
    """Synthetic places and providers for the 41 ICSs the real tree leaves empty, plus SYB's.

    Two places per ICS, two or three providers per place (an acute trust, a community trust and,
    in some places, a mental health trust), and one ambulance service per region, hosted in the
    region's first synthetic place. Deterministic: it depends on the seed file only.
    """
    data = _tree_data(seed_file)
    syb_code = data["syb"]["ics_code"]
    rng = random.Random("england-plan")
    places: list[PlacePlan] = []
    providers: list[ProviderPlan] = []
    names = {
        "acute": "Hospitals Trust",
        "community": "Community Trust",
        "mental_health": "Mental Health Trust",
    }
    for region in data["regions"]:
        ambulance_placed = False
        for ics in region["icss"]:
            if ics["code"] == syb_code:
                continue
            short = ics.get("short_name") or ics["name"]
            numbers = {"acute": 0, "community": 0, "mental_health": 0}
            for p in (1, 2):
                place = PlacePlan(
                    code=f"{ics['code']}-P{p}", name=f"{short} Place {p}", ics_code=ics["code"]
                )
                places.append(place)
                kinds = ["acute", "community"] + (["mental_health"] if rng.random() < 0.5 else [])
                for t, kind in enumerate(kinds, start=1):
                    numbers[kind] += 1
                    providers.append(
                        ProviderPlan(
                            code=f"{place.code}-T{t}",
                            name=f"{short} {names[kind]} {numbers[kind]}",
                            kind=kind,
                            region_code=region["code"],
                            place_code=place.code,
                        )
                    )
                if not ambulance_placed:
                    ambulance_placed = True
                    providers.append(
                        ProviderPlan(
                            code=f"{place.code}-A1",
                            name=f"{region['name']} Ambulance Service",
                            kind="ambulance",
                            region_code=region["code"],
                            place_code=place.code,
                        )
                    )
    return places, syb_providers(seed_file) + providers


def ensure_england_providers(seed_file: Path = SEED_FILE) -> int:
    """Create (or keep) the synthetic places and providers in the database; returns providers.

    Loads the real tree first if it is not there (``councils.tree.load_england_tree`` is
    idempotent), so England, 7 regions and 42 ICSs exist; SYB keeps its real providers.
    """
    from django.db import transaction

    from councils.models import Level, Organisation
    from councils.tree import load_england_tree, organisation_ensure

    places, providers = england_plan(seed_file)
    with transaction.atomic():
        if not Organisation.objects.filter(code=_tree_data(seed_file)["syb"]["ics_code"]).exists():
            load_england_tree(seed_file)
        icss = {org.code: org for org in Organisation.objects.filter(level=Level.ICS)}
        place_orgs = {}
        for place in places:
            place_orgs[place.code] = organisation_ensure(
                parent=icss[place.ics_code], code=place.code, name=place.name, level=Level.PLACE
            )
        for provider in providers:
            if provider.place_code not in place_orgs:  # SYB: load_england_tree made its providers
                continue
            organisation_ensure(
                parent=place_orgs[provider.place_code],
                code=provider.code,
                name=provider.name,
                level=Level.PROVIDER,
            )
    return Organisation.objects.filter(level=Level.PROVIDER).count()


def providers_for(scale: str) -> list[ProviderPlan]:
    if scale == "demo":
        return syb_providers()
    if scale == "england":
        return england_plan()[1]
    raise ValueError(f"Unknown scale {scale!r}: use one of {', '.join(SCALES)}")


# Months -----------------------------------------------------------------------------------------


def window_months(end_month: date = DEFAULT_END_MONTH, count: int = MONTHS) -> list[date]:
    """``count`` calendar months ending with the last complete month before ``end_month``."""
    return months_ending(add_months(end_month, -1), count)


def _weekdays(first: date, last: date) -> int:
    """Mon-Fri days from ``first`` to ``last`` inclusive."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, extra = divmod(days, 7)
    start = first.weekday()
    return weeks * 5 + sum(1 for i in range(extra) if (start + i) % 7 < 5)


# The simulation ---------------------------------------------------------------------------------


class _Person:
    __slots__ = (
        "staff_id",
        "profession",
        "band",
        "fte",
        "contract",
        "start",
        "end",
        "reason",
        "ethnic",
        "disability",
        "apprentice",
        "advanced",
        "rtp",
        "job_plan",
        "e_rostered",
    )

    def row(self, provider_code: str) -> list[str]:
        yn = ("N", "Y")
        return [
            provider_code,
            self.staff_id,
            self.profession,
            self.band,
            f"{self.fte:.2f}",
            self.contract,
            self.start.isoformat(),
            self.end.isoformat() if self.end else "",
            self.reason,
            self.ethnic,
            self.disability,
            yn[self.apprentice],
            yn[self.advanced],
            yn[self.rtp],
            yn[self.job_plan],
            yn[self.e_rostered],
        ]

    def in_post_at(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A normal approximation to Binomial(n, p), clipped to 0..n."""
    if n <= 0:
        return 0
    p = min(max(p, 0.0), 1.0)
    value = round(n * p + rng.gauss(0, math.sqrt(n * p * (1 - p))))
    return min(max(value, 0), n)


class _Provider:
    """One provider's simulated staff and the parameters that shape its figures."""

    def __init__(self, plan: ProviderPlan, rng: random.Random, size: int, sim_start: date):
        self.plan = plan
        self.rng = rng
        self.size = size
        self.sim_start = sim_start
        mix = PROFESSION_MIX[plan.kind]
        self.profession_mix = mix
        self.leave_multiplier = rng.uniform(0.75, 1.3)
        self.vacancy = rng.uniform(0.035, 0.085)
        self.sickness_multiplier = rng.uniform(0.85, 1.25)
        self.sickness_trend = rng.uniform(-0.25, 0.25)
        self.appraisal_rate = rng.uniform(0.72, 0.93)
        self.appraisal_trend = rng.uniform(-0.08, 0.08)
        self.training_full = rng.uniform(0.45, 0.75)
        self.job_plan_rate = rng.uniform(0.35, 0.9)
        self.e_roster_rate = rng.uniform(0.5, 0.97)
        self.ethnic_multiplier = (
            rng.uniform(1.7, 2.2) if plan.region_code == LONDON_REGION else rng.uniform(0.75, 1.05)
        )
        self.productivity = rng.uniform(0.85, 1.15)
        self.productivity_trend = rng.uniform(-0.08, 0.1)
        self.dna_rate = rng.uniform(0.05, 0.1)
        self.waiting_per_fte = rng.uniform(25, 60)
        self.over_18w = rng.uniform(0.05, 0.3)
        self.over_18w_trend = rng.uniform(-0.08, 0.08)
        self.fft_rate = rng.uniform(0.03, 0.07)
        self.fft_positive = rng.uniform(0.88, 0.97)
        self.prom_rate = rng.uniform(0.01, 0.04)
        self.prom_improved = rng.uniform(0.6, 0.8)
        self.agency_rate = rng.uniform(0.005, 0.04)
        self.survey_response = rng.uniform(0.35, 0.6)
        self.engagement = rng.gauss(6.9, 0.25)
        self.recommend = rng.uniform(0.55, 0.75)
        self.people: list[_Person] = []
        self.counter = 0

    def new_person(
        self, *, profession: str, band: str, contract: str, start: date, starter: bool
    ) -> _Person:
        rng = self.rng
        self.counter += 1
        person = _Person()
        person.staff_id = f"S{self.counter:06d}"
        person.profession = profession
        person.band = band
        person.contract = contract
        if contract == "bank":
            person.fte = rng.choice((0.1, 0.2, 0.2, 0.3, 0.4, 0.5))
        elif rng.random() < 0.68:
            person.fte = 1.0
        else:
            person.fte = rng.choice((0.4, 0.5, 0.6, 0.6, 0.7, 0.8, 0.8, 0.9))
        person.start = start
        person.end = None
        person.reason = ""
        p_minority = min(
            ETHNIC_MINORITY_BY_BAND[band]
            * ETHNIC_MINORITY_BY_PROFESSION.get(profession, 0.85)
            * self.ethnic_multiplier,
            0.6,
        )
        draw = rng.random()
        if draw < 0.04:
            person.ethnic = "not_stated"
        else:
            person.ethnic = "ethnic_minority" if rng.random() < p_minority else "white"
        draw = rng.random()
        person.disability = "yes" if draw < 0.06 else "not_stated" if draw < 0.14 else "no"
        support = band in ("2", "3", "4", "5")
        person.apprentice = support and rng.random() < (0.06 if starter else 0.025)
        person.advanced = band in ("7", "8a", "8b") and rng.random() < 0.18
        person.rtp = rng.random() < (0.03 if starter else 0.008)
        person.job_plan = contract != "bank" and rng.random() < self.job_plan_rate
        person.e_rostered = rng.random() < self.e_roster_rate
        return person

    def initial_staff(self) -> None:
        rng = self.rng
        for _ in range(self.size):
            profession = _weighted(rng, self.profession_mix)
            band = _weighted(rng, BAND_MIX.get(profession, DEFAULT_BAND_MIX))
            draw = rng.random()
            contract = "bank" if draw < 0.06 else "fixed_term" if draw < 0.14 else "permanent"
            years = min(rng.expovariate(1 / 8.0), 38.0)
            start = self.sim_start - timedelta(days=1 + int(years * 365.25))
            self.people.append(
                self.new_person(
                    profession=profession, band=band, contract=contract, start=start, starter=False
                )
            )

    def simulate(self, sim_months: list[date]) -> None:
        """Leavers each month, replaced by starters one to four months later."""
        rng = self.rng
        starters: dict[int, list[tuple[str, str, str]]] = {}
        active = list(self.people)
        for index, month in enumerate(sim_months):
            days = month_end(month).day
            staying = []
            for person in active:
                rate = LEAVE_RATE[person.contract] * self.leave_multiplier
                if rng.random() >= rate:
                    staying.append(person)
                    continue
                person.end = month + timedelta(days=rng.randrange(days))
                if person.end < person.start:
                    person.end = person.start
                if person.contract == "fixed_term" and rng.random() < 0.6:
                    person.reason = END_OF_FIXED_TERM
                else:
                    reasons = LEAVING_REASONS
                    person.reason = rng.choices(
                        [r for r, _ in reasons], weights=[w for _, w in reasons]
                    )[0]
                if rng.random() < 0.97:
                    lag = rng.choices((1, 2, 3, 4), weights=(3, 4, 2, 1))[0]
                    contract = person.contract
                    if contract == "fixed_term" and rng.random() < 0.5:
                        contract = "permanent"
                    starters.setdefault(index + lag, []).append(
                        (person.profession, person.band, contract)
                    )
            active = staying
            for profession, band, contract in starters.pop(index, []):
                start = month + timedelta(days=rng.randrange(days))
                person = self.new_person(
                    profession=profession, band=band, contract=contract, start=start, starter=True
                )
                self.people.append(person)
                active.append(person)


def _provider_sizes(plans: list[ProviderPlan], rng: random.Random, staff: int) -> dict[str, float]:
    weights = {}
    for plan in plans:
        base = AMBULANCE_SIZE if plan.kind == "ambulance" else PROVIDER_SIZE[plan.kind]
        weights[plan.code] = base * rng.lognormvariate(0, 0.35)
    total = sum(weights.values())
    initial = staff / ROWS_PER_INITIAL_POST
    return {code: max(12, round(initial * w / total)) for code, w in weights.items()}


def generate(
    *,
    out_dir: Path | str,
    scale: str = "demo",
    seed: int = 1,
    staff: int | None = None,
    end_month: date = DEFAULT_END_MONTH,
    providers: list[ProviderPlan] | None = None,
) -> dict[str, int]:
    """Write the six dataset CSVs to ``out_dir``; returns the number of data rows in each.

    ``staff`` is the approximate number of staff rows (people in post, leavers and bank) across all
    providers; it defaults to the scale's (``SCALES``). The files are ``<dataset>.csv``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plans = providers if providers is not None else providers_for(scale)
    staff = staff if staff is not None else SCALES[scale]
    master = random.Random(seed)
    sizes = _provider_sizes(plans, master, staff)
    months = window_months(end_month)
    sim_months = [add_months(months[0], -HISTORY_MONTHS + n) for n in range(HISTORY_MONTHS)]
    sim_months += months

    # A few providers have not sent the latest month; one or two have missed an earlier month of
    # activity and spend. Completeness then reads "N - k of N providers".
    order = [p.code for p in plans]
    late = set(master.sample(order, max(1, round(len(order) * 0.07))))
    gaps = {
        code: master.randrange(len(months) - 1)
        for code in master.sample(order, max(1, round(len(order) * 0.02)))
    }
    provider_seeds = {code: master.getrandbits(64) for code in order}

    counts = dict.fromkeys(DATASETS, 0)
    files = {
        name: (out / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in DATASETS
    }
    try:
        writers = {name: csv.writer(f, lineterminator="\n") for name, f in files.items()}
        for name, writer in writers.items():
            writer.writerow(COLUMNS[name])
        for plan in plans:
            rng = random.Random(provider_seeds[plan.code])
            provider = _Provider(plan, rng, sizes[plan.code], sim_months[0])
            provider.initial_staff()
            funded = _funded_establishment(provider)
            provider.simulate(sim_months)
            missing = {months[-1]} if plan.code in late else set()
            gap = {months[gaps[plan.code]]} if plan.code in gaps else set()
            for dataset, rows in _provider_rows(provider, months, funded, missing, gap):
                writer = writers[dataset]
                for row in rows:
                    writer.writerow(row)
                    counts[dataset] += 1
    finally:
        for f in files.values():
            f.close()
    return counts


def _funded_establishment(provider: _Provider) -> dict[tuple[str, str], float]:
    """Funded FTE per profession x band: the starting in-post FTE plus a vacancy margin."""
    fte: dict[tuple[str, str], float] = {}
    for person in provider.people:
        if person.contract != "bank":
            key = (person.profession, person.band)
            fte[key] = fte.get(key, 0.0) + person.fte
    rng = provider.rng
    funded = {}
    for key in sorted(fte):
        margin = min(max(provider.vacancy + rng.gauss(0, 0.03), -0.05), 0.3)
        funded[key] = round(fte[key] / (1 - margin), 2)
    return funded


def _provider_rows(provider, months, funded, missing, gap):
    """Yield (dataset, rows) for one provider; staff_month rows stream month by month."""
    code = provider.plan.code
    people = provider.people
    yield "staff", (person.row(code) for person in people)
    yield "staff_month", _staff_month_rows(provider, months, missing)
    in_post_by_month = []
    for month in months:
        last = month_end(month)
        in_post_by_month.append([p for p in people if p.in_post_at(last)])
    yield "establishment", _establishment_rows(code, months, funded, missing)
    yield "activity", _activity_rows(provider, months, in_post_by_month, missing | gap)
    yield "spend", _spend_rows(provider, months, in_post_by_month, missing | gap)
    yield "staff_survey", _survey_rows(provider, months, in_post_by_month)


def _staff_month_rows(provider: _Provider, months: list[date], missing: set[date]):
    rng = provider.rng
    code = provider.plan.code
    season = {12: 1.3, 1: 1.35, 2: 1.2, 3: 1.05, 6: 0.85, 7: 0.8, 8: 0.8}
    for index, month in enumerate(months):
        if month in missing:
            continue
        last = month_end(month)
        full_days = _weekdays(month, last)
        progress = index / max(len(months) - 1, 1)
        episode = (
            0.16
            * season.get(month.month, 1.0)
            * provider.sickness_multiplier
            * (1 + provider.sickness_trend * progress)
        )
        appraisal = provider.appraisal_rate + provider.appraisal_trend * progress
        for person in provider.people:
            if person.contract == "bank" or person.start > last:
                continue
            if person.end is not None and person.end < month:
                continue
            if person.start <= month and (person.end is None or person.end > last):
                days = full_days
            else:
                first = max(person.start, month)
                until = min(person.end, last) if person.end else last
                days = _weekdays(first, until)
            available = days * person.fte
            lost = 0.0
            if rng.random() < episode:
                length = rng.randint(1, 5) if rng.random() < 0.8 else rng.randint(8, 22)
                lost = min(length, days) * person.fte
            appraised = "Y" if rng.random() < appraisal else "N"
            draw = rng.random()
            if draw < 0.02:
                training = ""
            elif draw < 0.02 + provider.training_full:
                training = "100"
            else:
                training = str(rng.randint(55, 99))
            yield [
                code,
                person.staff_id,
                month.isoformat(),
                f"{lost:.2f}",
                f"{available:.2f}",
                appraised,
                training,
            ]


def _establishment_rows(code, months, funded, missing):
    for month in months:
        if month in missing:
            continue
        for (profession, band), fte in funded.items():
            yield [code, profession, band, month.isoformat(), f"{fte:.2f}"]


def _activity_rows(provider: _Provider, months, in_post_by_month, missing):
    rng = provider.rng
    code = provider.plan.code
    professions = sorted({p.profession for p in provider.people})
    season = {12: 0.85, 8: 0.9, 4: 0.95, 1: 1.05, 3: 1.05}
    for index, month in enumerate(months):
        if month in missing:
            continue
        progress = index / max(len(months) - 1, 1)
        registered: dict[str, float] = {}
        for person in in_post_by_month[index]:
            if person.contract != "bank" and person.band in REGISTERED_BANDS:
                registered[person.profession] = registered.get(person.profession, 0.0) + person.fte
        for profession in professions:
            fte = registered.get(profession, 0.0)
            rate = (
                CONTACTS_PER_FTE[profession]
                * provider.productivity
                * (1 + provider.productivity_trend * progress)
                * season.get(month.month, 1.0)
            )
            contacts = max(0, round(fte * rate * rng.gauss(1, 0.04)))
            clinical_hours = fte * 157.5 * rng.uniform(0.55, 0.7)
            dna = _binomial(
                rng,
                round(contacts / (1 - provider.dna_rate)),
                provider.dna_rate,
            )
            if profession in NO_WAITING_LIST:
                waiting = over = 0
            else:
                waiting = max(0, round(fte * provider.waiting_per_fte * rng.gauss(1, 0.05)))
                share = provider.over_18w + provider.over_18w_trend * progress
                over = _binomial(rng, waiting, max(share, 0.01))
            fft = _binomial(rng, contacts, provider.fft_rate)
            fft_positive = _binomial(rng, fft, provider.fft_positive)
            proms = _binomial(rng, contacts, provider.prom_rate)
            improved = _binomial(rng, proms, provider.prom_improved)
            yield [
                code,
                profession,
                month.isoformat(),
                contacts,
                f"{clinical_hours:.2f}",
                dna,
                waiting,
                over,
                fft,
                fft_positive,
                proms,
                improved,
            ]


def _spend_rows(provider: _Provider, months, in_post_by_month, missing):
    rng = provider.rng
    code = provider.plan.code
    for index, month in enumerate(months):
        if month in missing:
            continue
        substantive = bank = 0.0
        for person in in_post_by_month[index]:
            cost = BAND_COST[person.band] * person.fte / 12
            if person.contract == "bank":
                bank += cost
            else:
                substantive += cost
        bank *= rng.uniform(0.9, 1.3)
        agency = substantive * provider.agency_rate * rng.uniform(0.6, 1.4)
        pay_bill = substantive + bank + agency
        yield [code, month.isoformat(), f"{pay_bill:.2f}", f"{bank:.2f}", f"{agency:.2f}"]


def _survey_rows(provider: _Provider, months, in_post_by_month):
    """The NHS Staff Survey runs in the autumn: one row per October in the window."""
    rng = provider.rng
    for index, month in enumerate(months):
        if month.month != 10:
            continue
        headcount = sum(1 for p in in_post_by_month[index] if p.contract != "bank")
        respondents = max(1, round(headcount * provider.survey_response * rng.uniform(0.9, 1.1)))
        engagement = min(max(provider.engagement + rng.gauss(0, 0.1), 5.0), 8.5)
        recommend = _binomial(rng, respondents, provider.recommend)
        yield [provider.plan.code, month.year, respondents, f"{engagement:.2f}", recommend]


# Loading through the real import path -----------------------------------------------------------


class SyntheticImportError(Exception):
    """A generated file did not import cleanly (that is a bug in the generator or the importer)."""


def _parts(path: Path, max_bytes: int) -> list[Path]:
    """The file itself if it is within the upload limit, else parts of it (each with the header).

    A provider would send a big extract in several uploads; the generator does the same, cutting
    on row boundaries, so every part passes the importer's size limit.
    """
    if path.stat().st_size <= max_bytes:
        return [path]
    budget = int(max_bytes * 0.9)
    parts_dir = path.parent / "parts"
    parts_dir.mkdir(exist_ok=True)
    parts: list[Path] = []
    with path.open("rb") as source:
        header = source.readline()
        out = None
        size = 0
        for line in source:
            if out is None or size + len(line) > budget:
                if out is not None:
                    out.close()
                parts.append(parts_dir / f"{path.stem}_part{len(parts) + 1:02d}.csv")
                out = parts[-1].open("wb")
                out.write(header)
                size = len(header)
            out.write(line)
            size += len(line)
        if out is not None:
            out.close()
    return parts


def import_directory(*, directory, organisation, user=None, stdout=None, datasets=DATASETS):
    """Import ``<dataset>.csv`` from ``directory`` with ``workforce.services.import_file``.

    Datasets go in dependency order (staff before staff_month); each file (or part of a file over
    the upload limit) is one committed import run. Returns the runs; raises
    ``SyntheticImportError`` naming the first problems if a file is not imported.
    """
    from django.conf import settings

    from workforce import services

    directory = Path(directory)
    max_bytes = settings.WORKFORCE_MAX_UPLOAD_BYTES
    runs = []
    for dataset in datasets:
        for path in _parts(directory / f"{dataset}.csv", max_bytes):
            with path.open("rb") as fileobj:
                run = services.import_file(
                    dataset=dataset,
                    fileobj=fileobj,
                    file_name=path.name,
                    organisation=organisation,
                    user=user,
                    commit=True,
                )
            runs.append(run)
            if run.status != run.Status.COMMITTED:
                problems = "; ".join(
                    f"row {e.get('row')}, {e.get('column')}: {e.get('reason') or e.get('message')}"
                    for e in (run.errors or [])[:5]
                )
                raise SyntheticImportError(
                    f"{path.name} was not imported ({run.get_status_display()}, "
                    f"{run.error_count} errors): {problems}"
                )
            if stdout is not None:
                stdout.write(
                    f"  {path.name:28} {run.rows_total:>9,} rows: {run.rows_added:,} added, "
                    f"{run.rows_updated:,} updated, {run.rows_unchanged:,} unchanged"
                )
    return runs
