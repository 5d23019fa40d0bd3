"""Delivery plan text (actions, measures, progress narratives) holds at most 10,000 characters;
a longer text is refused with a message naming the field and stays in the form."""

from django.urls import reverse

from ahpportal.limits import TEXT_MAX_CHARS
from delivery.models import ProgressUpdate

LONG = "x" * (TEXT_MAX_CHARS + 1)


def test_a_delivery_progress_narrative_over_the_limit_is_refused_and_kept(
    syb_plan, tree, client_for, action_of
):
    action = action_of("3.1")
    chair = client_for("chair", tree["QF7"])
    response = chair.post(
        reverse("delivery:update_add", kwargs={"code": "QF7", "pk": action.pk}),
        {"quarter": "2026/27 Q3", "status": "on_track", "narrative": LONG},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Progress this quarter must be 10,000 characters or fewer" in page
    assert LONG in page
    assert "maxlength" not in page  # a browser limit would cut a long paste short silently
    assert not ProgressUpdate.objects.exists()
