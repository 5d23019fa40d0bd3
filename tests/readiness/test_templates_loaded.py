"""The data migration loads the transcribed templates; versions are never changed in place."""

import io
import json
import shutil

import pytest
from django.core.management import call_command

from readiness import services
from readiness.loading import SEED_DATA, load_templates, read_seed, six_step_stages
from readiness.models import Answer, Question, Section, Stage, Template


def test_migration_loaded_every_section_with_seed_wording(db):
    toolkit = read_seed("support_workforce_readiness.json")
    template = Template.objects.get(code="support_workforce", version=1)
    assert template.title == toolkit["title"]
    for seed_section in toolkit["sections"]:
        section = Section.objects.get(template=template, code=seed_section["code"])
        assert section.level == seed_section["level"]
        assert section.title == seed_section["title"]
        seed_questions = [
            (g["title"], q["number"], q["text"], q["next_steps_prompts"])
            for g in seed_section["groups"]
            for q in g["questions"]
        ]
        stored = list(
            section.questions.values_list("group", "number", "text", "next_steps_prompts")
        )
        assert stored == seed_questions
    counts = {s.code: s.questions.count() for s in template.sections.all()}
    assert counts == {"regional": 10, "system": 10, "employer": 19}


def test_state_of_readiness_is_four_free_text_questions_per_profession(db):
    seed = read_seed("state_of_readiness.json")
    section = Section.objects.get(template__code="state_of_readiness")
    assert section.per_profession and section.level == "provider"
    assert list(section.questions.values_list("code", "title", "text", "guidance", "kind")) == [
        (q["code"], q["title"], q["text"], q["guidance"], "free_text") for q in seed["questions"]
    ]


def test_action_stages_are_the_six_step_approach_of_the_seed():
    assert list(Stage.choices) == six_step_stages()


def test_loading_again_changes_nothing(db):
    out = io.StringIO()
    call_command("load_readiness_templates", stdout=out)
    assert out.getvalue() == "All template versions already loaded.\n"
    assert Template.objects.count() == 2
    assert Question.objects.count() == 10 + 10 + 19 + 4


def test_a_new_version_leaves_answers_to_the_old_one_alone(
    tmp_path, tree, make_user, employer_section, due
):
    chair = make_user("chair", tree["QF7"])
    cycle = services.cycle_open(
        actor=chair,
        organisation=tree["QF7"],
        section=employer_section,
        name="2025/26",
        due_date=due,
    )
    old_question = employer_section.questions.get(number="1")
    for name in ("support_workforce_readiness.json", "state_of_readiness.json"):
        shutil.copy(SEED_DATA / name, tmp_path / name)
    data = json.loads((tmp_path / "support_workforce_readiness.json").read_text())
    data["version"] = 2
    data["sections"][2]["groups"][0]["questions"][0]["text"] = "A reworded first question?"
    (tmp_path / "support_workforce_readiness.json").write_text(json.dumps(data))

    created = load_templates(Template, Section, Question, seed_dir=tmp_path)

    assert created == [("support_workforce", 2)]
    old_question.refresh_from_db()
    assert old_question.text != "A reworded first question?"
    answer = Answer.objects.get(
        submission__cycle=cycle, question__number="1", submission__organisation=tree["RP5"]
    )
    assert answer.question.section.template.version == 1
    v2 = Section.objects.get(template__version=2, code="employer")
    assert v2.questions.get(number="1").text == "A reworded first question?"


@pytest.mark.parametrize("code", ["regional", "system", "employer"])
def test_every_question_has_its_prompts(db, code):
    for q in Question.objects.filter(section__code=code):
        assert q.prompts, q.number
