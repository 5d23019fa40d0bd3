"""The simulation behind the synthetic data (:mod:`workforce.synthetic`): each provider's staff,
their professions, bands, contracts and backgrounds, leavers and the starters replacing them."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from ahpportal.months import month_end
from workforce.synthetic_tree import ProviderPlan

BANDS = ("2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")

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
    # adult social care and children's services therapists employed by a council
    "local_authority": {
        "occupational_therapist": 70,
        "physiotherapist": 12,
        "speech_and_language_therapist": 14,
    },
    # a community interest company running community MSK, podiatry and therapy services
    "cic": {
        "physiotherapist": 40,
        "podiatrist": 28,
        "occupational_therapist": 16,
        "dietitian": 8,
        "speech_and_language_therapist": 8,
    },
}
PROVIDER_SIZE = {
    "acute": 1.5,
    "community": 1.0,
    "mental_health": 0.7,
    "children": 0.5,
    "local_authority": 0.15,
    "cic": 0.12,
}
AMBULANCE_SIZE = 5.0

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

# Age: registered staff start at about 22-30, support staff at any working age; some professions
# are older (seed 004's retirement risk in podiatry and the small professions).
AGE_OFFSET = {
    "podiatrist": 6,
    "prosthetist_orthotist": 3,
    "therapeutic_radiographer": 3,
    "orthoptist": 3,
    "art_therapist": 5,
    "dramatherapist": 5,
    "music_therapist": 5,
    "paramedic": -2,
}
AGE_BANDS = ((25, "under_25"), (35, "25_34"), (45, "35_44"), (55, "45_54"), (65, "55_64"))
# Female share by profession (AHPs are about 80% female overall; paramedics about half).
FEMALE_SHARE = {
    "paramedic": 0.48,
    "operating_department_practitioner": 0.62,
    "prosthetist_orthotist": 0.45,
    "osteopath": 0.55,
    "podiatrist": 0.7,
    "physiotherapist": 0.76,
    "diagnostic_radiographer": 0.74,
    "therapeutic_radiographer": 0.8,
    "speech_and_language_therapist": 0.95,
    "dietitian": 0.93,
    "occupational_therapist": 0.9,
}
# Share of apprentices by band (doubled among starters): mostly support staff at bands 2-4,
# a few degree apprentices at band 5.
APPRENTICE_RATE = {"2": 0.22, "3": 0.12, "4": 0.1, "5": 0.012}
# Apprenticeship level by band: assistants at levels 2-3, senior assistants and assistant
# practitioners at 3-5, degree apprentices (bands 4-5 while training) at 6, a few at 7.
APPRENTICE_LEVELS = {
    "2": {"2": 70, "3": 30},
    "3": {"2": 15, "3": 75, "4": 10},
    "4": {"3": 20, "4": 30, "5": 40, "6": 10},
    "5": {"6": 88, "7": 12},
}
# Highest qualification by band (RQF level): support staff vary, registered staff hold degrees.
BAND_2_QUALIFICATIONS = {"1": 15, "2": 55, "3": 25, "4": 5}
# Bands 3-4: each provider has its own share qualified at level 3 and above (readiness Q16).
QUALIFIED_BANDS_3_4 = {"3": 55, "4": 20, "5": 20, "6": 5}
UNQUALIFIED_BANDS_3_4 = {"1": 10, "2": 90}
REGISTERED_QUALIFICATIONS = {"6": 72, "7": 25, "8": 3}
# Job-planned direct clinical care sessions a week per whole-time equivalent, by band.
DCC_SESSIONS = {"8a": 6.0, "8b": 4.5, "8c": 3.5, "8d": 3.0, "9": 2.5}


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
        "age_at_start",
        "sex",
        "apprenticeship_level",
        "qualification_level",
        "dcc_sessions",
    )

    def age_band(self, extract: date) -> str:
        """The age band on the day of the extract, or at leaving for a leaver."""
        if self.age_at_start is None:
            return "not_stated"
        until = min(self.end, extract) if self.end else extract
        age = self.age_at_start + (until - self.start).days / 365.25
        return next((band for limit, band in AGE_BANDS if age < limit), "65_plus")

    def row(self, provider_code: str, extract: date) -> list[str]:
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
            self.age_band(extract),
            self.sex,
            self.apprenticeship_level,
            self.qualification_level,
            "" if self.dcc_sessions is None else f"{self.dcc_sessions:.1f}",
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

    def __init__(
        self,
        plan: ProviderPlan,
        rng: random.Random,
        size: int,
        sim_start: date,
        supply_rng: random.Random | None = None,
    ):
        self.plan = plan
        self.rng = rng
        # The issue 19 columns draw from their own generator, so the other figures are the
        # ones the data had before those columns existed.
        self.supply_rng = supply_rng or random.Random(f"{plan.code}-supply")
        self.support_qualified = self.supply_rng.uniform(0.5, 0.9)
        self.placement_rate = self.supply_rng.uniform(0.12, 0.3)
        self.placement_demand = self.supply_rng.uniform(0.95, 1.4)
        self.placement_fill = self.supply_rng.uniform(0.78, 0.97)
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
        # (this draw is kept so that the draws after it are the ones the data always had; who
        # is an apprentice is decided with the supply columns, _supply_columns)
        person.apprentice = support and rng.random() < (0.06 if starter else 0.025)
        person.advanced = band in ("7", "8a", "8b") and rng.random() < 0.18
        person.rtp = rng.random() < (0.03 if starter else 0.008)
        person.job_plan = contract != "bank" and rng.random() < self.job_plan_rate
        person.e_rostered = rng.random() < self.e_roster_rate
        self._supply_columns(person, starter)
        return person

    def _supply_columns(self, person: _Person, starter: bool) -> None:
        """Age, sex, apprenticeship and qualification levels and DCC sessions."""
        rng = self.supply_rng
        band, profession = person.band, person.profession
        support = band in ("2", "3", "4")
        rate = APPRENTICE_RATE.get(band, 0.0) * (2 if starter else 1)
        person.apprentice = person.contract != "bank" and rng.random() < rate
        served = 0.0 if starter else (self.sim_start - person.start).days / 365.25
        if rng.random() < 0.04:
            person.age_at_start = None
        else:
            if person.apprentice:
                entry = rng.gauss(22, 3) + abs(rng.gauss(0, 6))
            elif not support:  # graduates, and career changers who qualify later
                entry = rng.gauss(24.5, 3.5) + abs(rng.gauss(0, 10))
            else:
                entry = rng.uniform(18, 55)
            age_now = max(entry, 18.0) + served + AGE_OFFSET.get(profession, 0)
            person.age_at_start = min(age_now, 68.0) - served
        draw = rng.random()
        female = FEMALE_SHARE.get(profession, 0.85)
        person.sex = "not_stated" if draw < 0.01 else "female" if rng.random() < female else "male"
        person.apprenticeship_level = ""
        if person.apprentice and rng.random() < 0.92:
            person.apprenticeship_level = _weighted(rng, APPRENTICE_LEVELS[band])
        if rng.random() < (0.12 if support else 0.06):
            person.qualification_level = "not_stated"
        elif band in ("3", "4"):
            # this provider's share of bands 3-4 qualified at level 3 or above
            if rng.random() < self.support_qualified:
                person.qualification_level = _weighted(rng, QUALIFIED_BANDS_3_4)
            else:
                person.qualification_level = _weighted(rng, UNQUALIFIED_BANDS_3_4)
        elif support:
            person.qualification_level = _weighted(rng, BAND_2_QUALIFICATIONS)
        else:
            person.qualification_level = _weighted(rng, REGISTERED_QUALIFICATIONS)
        person.dcc_sessions = None
        if person.job_plan and rng.random() < 0.9:
            per_fte = DCC_SESSIONS.get(band, 8.0 if support else 7.5) + rng.gauss(0, 0.6)
            sessions = round(min(max(per_fte, 1.0), 10.0) * person.fte, 1)
            person.dcc_sessions = min(sessions, math.floor(person.fte * 100) / 10)

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
