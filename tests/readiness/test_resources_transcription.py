"""The toolkit's "Supporting resources" (readiness/seed_data/supporting_resources.json) are seed
002's section word for word, in the seed's order, each with a real link; every next-step prompt
that points to them links to the right section of the resources page.

The seed comparison follows test_template_transcription's rule (whitespace collapsed, the text
conversion's markup removed), and also removes the markdown heading marks ('#### ')."""

import re

import pytest
from django.urls import reverse

from readiness.resources import link_prompt, supporting_resources
from tests.readiness.test_template_transcription import (
    TOOLKIT_SEED,
    _seed_path,
    all_questions,
    load,
    norm,
)

_HEADING = re.compile(r"^#+ ", re.MULTILINE)


@pytest.fixture(scope="module")
def resources():
    return supporting_resources()


@pytest.fixture(scope="module")
def seed_section():
    text = _seed_path(TOOLKIT_SEED).read_text(encoding="utf-8")
    section = text[text.index("## Supporting resources") : text.index("## Acknowledgements")]
    return norm(_HEADING.sub("", section))


def resource_strings(resources):
    """Every piece of seed wording, in page order."""
    yield resources["title"]
    for section in resources["sections"]:
        yield section["title"]
        for group in section["groups"]:
            if group["title"]:
                yield group["title"]
            for item in group["items"]:
                yield item["text"]


def test_the_section_is_carried_word_for_word_in_the_seeds_order(resources, seed_section):
    assert norm(" ".join(resource_strings(resources))) == seed_section


def test_the_sections_are_the_seeds(resources):
    assert [s["title"] for s in resources["sections"]] == [
        "Core Standards",
        "National policy drivers",
        "Workforce planning",
        "Workforce diversity and widening participation",
        "Quality of training and education",
        "Training and Education",
        "Further resources",
    ]
    items = [i for s in resources["sections"] for g in s["groups"] for i in g["items"]]
    assert len(items) == 20


def test_every_resource_has_a_real_link_on_its_own_words(resources):
    anchors = [s["anchor"] for s in resources["sections"]]
    assert len(set(anchors)) == len(anchors) and all(re.fullmatch(r"[a-z-]+", a) for a in anchors)
    for section in resources["sections"]:
        for group in section["groups"]:
            for item in group["items"]:
                assert item["link"] and item["link"] in item["text"], item
                assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]{2,}(/[^\s\"'<>]*)?", item["url"])


def test_the_seeds_underlined_link_texts_are_links(resources):
    """Where the seed kept the underline of a hyperlink, that text is the link."""
    links = {i["link"] for s in resources["sections"] for g in s["groups"] for i in g["items"]}
    assert {"Care Certificate and Toolkit", "Skills for Health – The Care Certificate"} <= links
    assert "HEE website" in links


def prompts_pointing_to_resources(toolkit):
    """Prompt lines that send the reader to the toolkit's resources: those naming resources, a
    section of them (policy drivers) or a resource listed there (the Calderdale Framework)."""
    for code, q in all_questions(toolkit):
        for line in q["next_steps_prompts"].splitlines():
            if re.search(r"resources|policy drivers|Calderdale Framework", line):
                yield code, q["number"], line


def test_nine_prompts_point_to_the_resources_and_each_links_to_its_section(resources):
    toolkit = load("support_workforce_readiness.json")
    anchors = {s["anchor"] for s in resources["sections"]} | {""}
    found = list(prompts_pointing_to_resources(toolkit))
    questions = {(code, number) for code, number, _line in found}
    assert len(questions) == 10  # nine named in the issue, and employer Q9's Calderdale Framework
    page = reverse("readiness:resources")
    for code, number, line in found:
        html = str(link_prompt(line))
        links = re.findall(rf'<a href="{re.escape(page)}(#[a-z-]+)?">', html)
        assert links, (code, number, line)
        assert all(anchor.lstrip("#") in anchors for anchor in links)
        assert re.sub(r"<[^>]+>", "", html) == line.replace("'", "&#x27;").replace("&", "&amp;")


@pytest.mark.parametrize(
    "line, anchor",
    [
        ("Review resources under workforce planning.", "#workforce-planning"),
        ("Review resources under policy drivers.", "#national-policy-drivers"),
        ("Review national policy drivers.", "#national-policy-drivers"),
        (
            "Review the resources in workforce diversity and widening participation.",
            "#workforce-diversity-and-widening-participation",
        ),
        ("Share HEE resources with relevant partners.", "#further-resources"),
        ("Review the resources section of this Toolkit and HEE website.", '"'),
    ],
)
def test_a_prompt_links_to_the_right_section(line, anchor):
    assert f"{reverse('readiness:resources')}{anchor}" in str(link_prompt(line))


def test_every_pointer_is_used_by_a_prompt(resources):
    toolkit = load("support_workforce_readiness.json")
    prompts = " ".join(q["next_steps_prompts"] for _code, q in all_questions(toolkit))
    for pointer in resources["pointers"]:
        assert pointer["phrase"] in prompts, pointer


def test_a_prompt_is_escaped():
    assert str(link_prompt("<b>Review</b>")) == "&lt;b&gt;Review&lt;/b&gt;"


@pytest.mark.django_db
def test_the_resources_page_shows_every_resource_as_a_link(client_for, resources):
    client = client_for()
    html = client.get(reverse("readiness:resources")).content.decode()
    for section in resources["sections"]:
        assert f'id="{section["anchor"]}"' in html
        for group in section["groups"]:
            for item in group["items"]:
                assert f'<a href="{item["url"]}">' in html, item["link"]


def test_the_submission_page_links_its_prompts_to_the_resources(employer_cycle, people, tree):
    from tests.readiness.conftest import client_of

    submission = employer_cycle.submissions.get(organisation=tree["RP5"])
    html = (
        client_of(people["rp5"])
        .get(reverse("readiness:submission", args=[submission.pk]))
        .content.decode()
    )
    page = reverse("readiness:resources")
    assert (
        f'Review <a href="{page}#workforce-planning">resources under workforce planning</a>.'
        in html
    )
    assert f'Review the <a href="{page}">resources section</a> of this Toolkit' in html
