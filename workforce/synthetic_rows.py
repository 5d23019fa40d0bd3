"""The rows of each synthetic file (:mod:`workforce.synthetic`), from one simulated provider:
staff, staff months, establishment, activity, spend, the staff survey and placements."""

from __future__ import annotations

from datetime import date

from ahpportal.months import month_end
from workforce.synthetic_people import _binomial, _Provider

REGISTERED_BANDS = ("5", "6", "7", "8a", "8b", "8c", "8d", "9")

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


def _weekdays(first: date, last: date) -> int:
    """Mon-Fri days from ``first`` to ``last`` inclusive."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, extra = divmod(days, 7)
    start = first.weekday()
    return weeks * 5 + sum(1 for i in range(extra) if (start + i) % 7 < 5)


def _provider_rows(provider, months, funded, missing, gap):
    """Yield (dataset, rows) for one provider; staff_month rows stream month by month."""
    code = provider.plan.code
    people = provider.people
    extract = month_end(months[-1])
    yield "staff", (person.row(code, extract) for person in people)
    yield "staff_month", _staff_month_rows(provider, months, missing)
    in_post_by_month = []
    for month in months:
        last = month_end(month)
        in_post_by_month.append([p for p in people if p.in_post_at(last)])
    yield "establishment", _establishment_rows(code, months, funded, missing)
    yield "activity", _activity_rows(provider, months, in_post_by_month, missing | gap)
    yield "spend", _spend_rows(provider, months, in_post_by_month, missing | gap)
    yield "staff_survey", _survey_rows(provider, months, in_post_by_month)
    yield "placements", _placement_rows(provider, months, in_post_by_month)


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


def _placement_rows(provider: _Provider, months, in_post_by_month):
    """Student placements for each quarter whose first month is in the window, per profession
    with registered staff in post: offered in proportion to the registered headcount, requested
    by education providers usually above that (demand exceeds capacity), most offers filled."""
    rng = provider.supply_rng
    code = provider.plan.code
    for index, month in enumerate(months):
        if month.month not in (1, 4, 7, 10):
            continue
        registered: dict[str, int] = {}
        for person in in_post_by_month[index]:
            if person.contract != "bank" and person.band in REGISTERED_BANDS:
                registered[person.profession] = registered.get(person.profession, 0) + 1
        for profession in sorted(registered):
            headcount = registered[profession]
            if headcount < 3:
                continue
            offered = max(0, round(headcount * provider.placement_rate * rng.gauss(1, 0.15)))
            requested = max(0, round(offered * provider.placement_demand * rng.gauss(1, 0.1)))
            filled = _binomial(rng, offered, provider.placement_fill)
            yield [code, profession, month.isoformat()[:7], offered, requested, filled]
