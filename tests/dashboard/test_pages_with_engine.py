"""The pages read what the metrics engine stores: one end-to-end check of the contract
(values, completeness, people for suppression) from workforce rows through compute to a page."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dashboard import compute
from tests.dashboard.conftest import d

MARCH = d("2025-03-01")


def _workforce(tree, data):
    for i in range(6):
        staff = data.staff(tree["RP5"], start=d("2020-01-01"))
        data.staff_month(staff, MARCH, sick="2" if i < 3 else "0", available="20")
    lone = data.staff(tree["RXE"], start=d("2020-01-01"))
    data.staff_month(lone, MARCH, sick="1", available="20")
    with transaction.atomic():
        compute.compute(months=[MARCH], provider_ids=None, computed_at=timezone.now(), full=True)


def test_the_scorecard_shows_what_the_engine_computed(tree, data, client_for):
    _workforce(tree, data)
    client = client_for("chair", tree["QF7-DON"])
    page = client.get(reverse("dashboard:scorecard", args=["QF7-DON"])).content.decode()
    assert "March 2025" in page
    # (6 + 1) days lost of (7 x 20) available = 5.0%
    sickness = page[page.index("Sickness absence rate %") :]
    assert "5.0%" in sickness[: sickness.index("</tr>")]
    assert "2 of 2 providers" in page


def test_a_sibling_sees_the_engines_small_figure_as_fewer_than_5(tree, data, client_for):
    _workforce(tree, data)
    url = reverse("dashboard:metric", args=["RP5", "sickness_absence_rate"])
    page = client_for("viewer", tree["RP5"]).get(url).content.decode()
    bench = page[page.index('id="benchmarking"') :]
    row = bench[bench.index("Rotherham Doncaster") :]
    assert "fewer than 5" in row[: row.index("</tr>")]
    own = reverse("dashboard:metric", args=["RXE", "sickness_absence_rate"])
    assert "5.0%" in client_for("viewer", tree["RXE"]).get(own).content.decode()


def test_the_diversity_page_shows_the_engines_single_bands(tree, data, client_for):
    rp5, start = tree["RP5"], d("2020-01-01")
    data.staff(rp5, band="5", start=start, ethnic_group="ethnic_minority", disability="yes")
    data.staff(rp5, band="5", start=start, disability="not_stated")
    data.staff(rp5, band="5", start=start)
    data.staff(rp5, band="5", start=start)
    data.staff(rp5, band="8c", start=start)
    data.staff(rp5, band="8c", start=start)
    with transaction.atomic():
        compute.compute(months=[MARCH], provider_ids=None, computed_at=timezone.now(), full=True)
    page = client_for("chair", rp5).get(reverse("dashboard:diversity", args=["RP5"]))
    page = page.content.decode()
    # 1 of 6 overall; band 5: 1 of 4; band 8c: none of 2
    assert "<strong>16.7%</strong>" in page
    band_5 = page[page.index(">Band 5</th>") :]
    assert "25.0%" in band_5 and "+8.3 percentage points" in band_5[: band_5.index("</tr>")]
    band_8c = page[page.index(">Band 8c</th>") :]
    assert "0.0%" in band_8c and "-16.7 percentage points" in band_8c[: band_8c.index("</tr>")]
    # disability, band 5: 3 of 4 declared, 1 of those 3 has a disability
    disability = page[page.index("Disability declaration by band") :]
    band_5 = disability[disability.index(">Band 5</th>") :]
    assert "75.0%" in band_5[: band_5.index("</tr>")]
    assert "33.3%" in band_5[: band_5.index("</tr>")]
