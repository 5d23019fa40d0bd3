"""Small hand-made workforce data for the metrics engine tests."""

import datetime as dt
from decimal import Decimal

import pytest

from dashboard import metrics as catalogue
from tests.dashboard.pages_data import make_values
from workforce.models import (
    Activity,
    Establishment,
    Placement,
    Profession,
    Spend,
    Staff,
    StaffMonth,
    StaffSurvey,
)


class Data:
    """Builders for one test's workforce rows: ``data.staff(tree["RP5"], "physiotherapist",
    "6", start=..., end=...)``."""

    def __init__(self):
        self.professions = {p.code: p for p in Profession.objects.all()}
        self.counter = 0

    def profession(self, code):
        return self.professions[code]

    def staff(
        self,
        provider,
        profession="physiotherapist",
        band="6",
        *,
        start,
        end=None,
        fte="1.00",
        contract="permanent",
        ethnic_group="white",
        disability="no",
        **flags,
    ):
        self.counter += 1
        return Staff.objects.create(
            provider=provider,
            staff_id=f"S{self.counter:05d}",
            profession=self.profession(profession),
            band=band,
            fte=Decimal(fte),
            contract=contract,
            start_date=start,
            end_date=end,
            ethnic_group=ethnic_group,
            disability=disability,
            **flags,
        )

    def staff_month(self, staff, month, *, sick="0", available="20", appraised=True, training=None):
        return StaffMonth.objects.create(
            provider=staff.provider,
            staff=staff,
            month=month,
            sickness_days_lost=Decimal(sick),
            days_available=Decimal(available),
            appraised_12m=appraised,
            mandatory_training_pct=None if training is None else Decimal(training),
        )

    def establishment(self, provider, month, funded, profession="physiotherapist", band="6"):
        return Establishment.objects.create(
            provider=provider,
            profession=self.profession(profession),
            band=band,
            month=month,
            funded_fte=Decimal(funded),
        )

    def activity(self, provider, month, profession="physiotherapist", **values):
        defaults = {
            "contacts": 0,
            "clinical_hours": Decimal("0"),
            "dna": 0,
            "waiting_total": 0,
            "waiting_over_18w": 0,
            "fft_responses": 0,
            "fft_positive": 0,
            "prom_completed": 0,
            "prom_improved": 0,
        }
        defaults.update(values)
        return Activity.objects.create(
            provider=provider, profession=self.profession(profession), month=month, **defaults
        )

    def spend(self, provider, month, pay_bill, bank, agency):
        return Spend.objects.create(
            provider=provider,
            month=month,
            pay_bill=Decimal(pay_bill),
            bank_spend=Decimal(bank),
            agency_spend=Decimal(agency),
        )

    def survey(self, provider, year, respondents, score):
        return StaffSurvey.objects.create(
            provider=provider,
            year=year,
            respondents=respondents,
            engagement_score=Decimal(score),
            recommend_workplace=0,
        )

    def placement(self, provider, month, offered, requested, filled, profession="physiotherapist"):
        return Placement.objects.create(
            provider=provider,
            profession=self.profession(profession),
            month=month,
            offered=offered,
            requested=requested,
            filled=filled,
        )


@pytest.fixture
def data(db):
    return Data()


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


MARCH = dt.date(2025, 3, 1)


def figure(org, metric, *, profession="all", band_group="all", month=MARCH):
    """The stored figure, or None when there is no row."""
    from dashboard.models import MetricValue

    return MetricValue.objects.filter(
        organisation=org, metric=metric, profession=profession, band_group=band_group, month=month
    ).first()


def store_snapshot():
    """Every stored figure by its key, without ids or computed_at, for comparing two runs."""
    from dashboard.models import MetricValue

    return {
        (v.organisation_id, v.month, v.metric, v.profession, v.band_group): (
            v.numerator,
            v.denominator,
            None if v.value is None else round(v.value, 9),
            v.people,
            v.suppressed,
            v.providers_reporting,
            v.providers_total,
        )
        for v in MetricValue.objects.all()
    }


@pytest.fixture
def workforce(tree, data):
    """The worked example of test_compute_metrics: RP5 (physiotherapists, seven people with
    every case) and RXE (one occupational therapist), figures for March 2025."""
    rp5, rxe = tree["RP5"], tree["RXE"]
    people = {
        "A": data.staff(rp5, band="6", start=d("2020-01-01"), job_plan=True, e_rostered=True),
        "B": data.staff(
            rp5,
            band="7",
            fte="0.80",
            start=d("2021-06-01"),
            end=d("2024-09-30"),
            ethnic_group="ethnic_minority",
        ),
        "C": data.staff(
            rp5,
            band="3",
            contract="fixed_term",
            start=d("2024-06-01"),
            end=d("2025-01-15"),
            apprentice=True,
        ),
        "D": data.staff(
            rp5,
            band="8a",
            start=d("2024-05-01"),
            ethnic_group="ethnic_minority",
            return_to_practice=True,
            advanced_practice=True,
        ),
        "E": data.staff(rp5, band="5", fte="0.50", contract="bank", start=d("2019-01-01")),
        "F": data.staff(rp5, band="4", start=d("2025-04-01")),
        "G": data.staff(
            rp5, band="6", start=d("2018-01-01"), end=d("2025-03-31"), ethnic_group="not_stated"
        ),
        "H": data.staff(rxe, "occupational_therapist", band="5", start=d("2022-01-01")),
    }
    data.staff_month(people["A"], MARCH, sick="2", available="20", appraised=True, training="80")
    data.staff_month(people["D"], MARCH, sick="0", available="20", appraised=False)
    data.staff_month(people["E"], MARCH, sick="1", available="10", appraised=True, training="100")
    data.staff_month(people["G"], MARCH, sick="5", available="20", appraised=True, training="50")
    data.establishment(rp5, MARCH, "3.0", band="6")
    data.establishment(rp5, MARCH, "0.5", band="8a")
    data.establishment(rp5, MARCH, "1.0", band="3")
    data.activity(
        rp5,
        MARCH,
        contacts=200,
        clinical_hours=Decimal("100"),
        dna=50,
        waiting_total=40,
        waiting_over_18w=10,
        fft_responses=20,
        fft_positive=18,
        prom_completed=10,
        prom_improved=7,
    )
    data.spend(rp5, MARCH, "10000", "300", "200")
    data.survey(rp5, 2025, 10, "7.0")
    data.survey(rxe, 2025, 30, "8.0")
    return people


@pytest.fixture
def supply_figures(tree):
    """Supply figures at RP5: the support workforce share, apprentices, advanced practitioners
    and return to practice; podiatry's vacancy, turnover and job plans (14 of 37); 2 orthoptist
    apprentices (a small number)."""
    rp5 = tree["RP5"]
    codes = [
        "support_workforce_share",
        "apprentices",
        "advanced_practitioners",
        "return_to_practice_starters",
    ]
    make_values([rp5], metrics=[catalogue.get(c) for c in codes])
    podiatry = [catalogue.get(c) for c in ("vacancy_rate", "turnover_rate", "job_plan_coverage")]
    make_values(
        [rp5],
        metrics=podiatry,
        months=1,
        profession="podiatrist",
        override=lambda o, m, k: {"value": 14.0, "denominator": 37.0},
    )
    make_values(
        [rp5],
        metrics=[catalogue.get("apprentices")],
        months=1,
        profession="orthoptist",
        people=2,
        override=lambda o, m, k: {"value": 2.0},
    )
