"""``{% data_table %}``: the shared frame of the portal's data tables."""

import pytest
from django.template import Context, Template, TemplateSyntaxError


def _render(source, **context):
    return Template("{% load tables %}" + source).render(Context(context))


def test_the_frame_holds_the_region_caption_headers_and_the_rows():
    html = _render(
        '{% data_table "Cycles" "Cycles opened in "|add:name "Cycle" "Due" %}'
        '<tr class="nhsuk-table__row"><td>{{ cell }}</td></tr>{% enddata_table %}',
        name="SYB <ICS>",
        cell="<b>",
    )
    assert '<div class="app-table-scroll" role="region" aria-label="Cycles" tabindex="0">' in html
    assert '<table class="nhsuk-table">' in html
    assert (
        '<caption class="nhsuk-table__caption nhsuk-u-visually-hidden">'
        "Cycles opened in SYB &lt;ICS&gt;</caption>"
    ) in html
    assert '<th class="nhsuk-table__header" scope="col">Cycle</th>' in html
    assert '<th class="nhsuk-table__header" scope="col">Due</th>' in html
    body = html[html.index('<tbody class="nhsuk-table__body">') : html.index("</tbody>")]
    assert "<td>&lt;b&gt;</td>" in body  # the rows' own escaping, not escaped twice
    assert html.rstrip().endswith("</table>\n</div>")


def test_a_shown_caption_and_extra_table_classes():
    html = _render(
        '{% data_table "L" "Actions (3)" "A" show_caption=True table_class="app-compact-table" %}'
        "{% enddata_table %}"
    )
    assert '<caption class="nhsuk-table__caption">Actions (3)</caption>' in html
    assert '<table class="nhsuk-table app-compact-table">' in html


def test_a_table_without_a_column_header_is_refused():
    with pytest.raises(TemplateSyntaxError, match="at least one column header"):
        _render('{% data_table "L" "Caption" %}{% enddata_table %}')


def test_the_last_header_can_be_for_screen_readers_only():
    html = _render(
        '{% data_table "Roles" "Roles you hold" "Role" "Action" hide_last_header=True %}'
        "{% enddata_table %}"
    )
    assert '<th class="nhsuk-table__header" scope="col">Role</th>' in html
    assert (
        '<th class="nhsuk-table__header" scope="col">'
        '<span class="nhsuk-u-visually-hidden">Action</span></th>'
    ) in html


def test_a_list_argument_is_one_column_header_each():
    html = _render(
        '{% data_table "Answers" "Answers" "Profession" names %}{% enddata_table %}',
        names=["Sheffield <THR>", "Doncaster"],
    )
    headers = html[html.index("<thead") : html.index("</thead>")]
    assert headers.count("<th ") == 3
    assert '<th class="nhsuk-table__header" scope="col">Sheffield &lt;THR&gt;</th>' in headers
    assert headers.index("Profession") < headers.index("Sheffield") < headers.index("Doncaster")
