"""The board summary for a quarter: what changed this quarter and what is off track or at risk."""

import datetime as dt

from django.urls import reverse

from delivery import services


def summary_html(client, quarter):
    url = reverse("delivery:summary", kwargs={"code": "QF7"}) + f"?quarter={quarter}"
    return client.get(url).content.decode()


def section(html, heading, next_heading):
    return html[html.index(heading) : html.index(next_heading)]


def add(action, quarter, status, narrative, author):
    return services.update_add(
        action=action, quarter=quarter, status=status, narrative=narrative, author=author
    )


def test_it_shows_what_changed_and_what_is_off_track_or_at_risk(
    syb_plan, tree, client_for, action_of
):
    chair = client_for("chair", tree["QF7"], full_name="Chris Chair")
    add(action_of("1.1"), "2026/27 Q2", "on_track", "Policy agreed.", chair.user)
    add(action_of("1.1"), "2026/27 Q3", "at_risk", "Licences delayed.", chair.user)
    add(action_of("5.1"), "2026/27 Q3", "off_track", "No analyst in post.", chair.user)
    add(action_of("2.1"), "2026/27 Q2", "off_track", "Workshops cancelled.", chair.user)
    add(action_of("3.3"), "2026/27 Q2", "complete", "Measures agreed.", chair.user)
    add(action_of("3.3"), "2026/27 Q3", "complete", "Still complete.", chair.user)

    html = summary_html(client_for("viewer", tree["QF7"]), "2026/27 Q3")

    assert "Delivery plan board summary, 2026/27 Q3" in html
    assert "October to December 2026" in html
    changed = section(html, "What changed in 2026/27 Q3", "Off track and at risk")
    assert "1.1 To Implement Job Planning" in changed and "On track to at risk" in changed
    assert "5.1 To develop a detailed AHP workforce plan" in changed and "First update" in changed
    assert "No change: complete" in changed
    assert "Licences delayed." in changed and "Chris Chair" in changed
    assert "2.1 " not in changed  # updated last quarter, not this one

    attention = section(html, "Off track and at risk", "Measures linked to dashboard metrics")
    assert "5.1 To develop" in attention and "1.1 To Implement" in attention
    assert "2.1 To use Co-production" in attention and "(from 2026/27 Q2)" in attention
    assert "3.3 " not in attention
    assert attention.index("5.1 To develop") < attention.index(
        "1.1 To Implement"
    )  # off track first

    counts = section(html, "Status of the 26 actions", "What changed")
    assert (
        '>Off track</strong></th><td class="nhsuk-table__cell nhsuk-table__cell--numeric">2<'
        in counts
    )
    assert "No update in 2026/27 Q3" in counts


def test_the_previous_quarter_shows_its_own_picture(syb_plan, tree, client_for, action_of):
    chair = client_for("chair", tree["QF7"])
    add(action_of("1.1"), "2026/27 Q2", "on_track", "Policy agreed.", chair.user)
    add(action_of("1.1"), "2026/27 Q3", "off_track", "Licences delayed.", chair.user)
    html = summary_html(chair, "2026/27 Q2")
    assert "Policy agreed." in html and "Licences delayed." not in html
    assert "No action is off track or at risk as at 2026/27 Q2." in html


def test_a_quarter_with_no_updates_says_so(syb_plan, tree, client_for):
    html = summary_html(client_for("viewer", tree["QF7"]), "2025/26 Q1")
    assert "No action has a progress update for 2025/26 Q1 yet." in html
    assert "No measure of success is linked to a dashboard metric yet." in html


def test_it_lists_linked_measures_with_their_live_values(
    syb_plan, tree, client_for, action_of, metric_series
):
    measure = action_of("4.4").measures.get(position=1)
    services.measure_link_metric(measure=measure, metric="turnover_rate", target=10.0)
    metric_series(tree["QF7"], "turnover_rate", [12.5], latest=dt.date(2026, 10, 1))
    html = summary_html(client_for("viewer", tree["QF7"]), "2026/27 Q3")
    metrics = html[html.index("Measures linked to dashboard metrics") :]
    assert "Improve recruitment and retention within the ICS" in metrics
    assert "12.5%" in metrics and "October 2026" in metrics and "Not met" in metrics


def test_the_summary_reads_in_constant_queries(
    syb_plan, tree, client_for, action_of, django_assert_max_num_queries
):
    chair = client_for("chair", tree["QF7"])
    for ref in ["1.1", "1.2", "2.1", "3.1", "4.1", "5.1"]:
        add(action_of(ref), "2026/27 Q3", "at_risk", "Watch.", chair.user)
        add(action_of(ref), "2026/27 Q2", "on_track", "Fine.", chair.user)
    with django_assert_max_num_queries(13):
        assert (
            chair.get(
                reverse("delivery:summary", kwargs={"code": "QF7"}) + "?quarter=2026/27 Q3"
            ).status_code
            == 200
        )
