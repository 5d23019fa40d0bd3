"""The readiness templates in readiness/seed_data/ are word-for-word transcriptions of the seeds.

Plain JSON + the seed text files; no Django database needed. The seeds live at
<repo>/../shared/seeds/; the seed-comparison tests skip when that directory is absent.

Comparison rule: both sides are normalised by collapsing runs of whitespace to one space. On the
seed side the text-conversion markup (<u>, <b>, <ul>, <ol>, <li> tags, markdown '**' and markdown
'- ' bullets at the start of a line) is also removed, because the seed files carry it around link
and list text; the transcription holds plain text only (checked below), with list items on
separate lines.
"""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED_DATA = REPO / "readiness" / "seed_data"
SEEDS = REPO.parent / "shared" / "seeds"
TOOLKIT_SEED = "002_88993fc5b9fe1693.txt"
STRATEGY_SEED = "000_53179065aeb8b95d.txt"

_MARKUP = re.compile(r"</?(?:u|b|ul|ol|li)>|\*\*|^- ", re.MULTILINE)
_SPACE = re.compile(r"\s+")

STAGES = [
    ("start_out", "Start out"),
    ("define_and_scope", "Define and scope"),
    ("measure_and_understand", "Measure and understand"),
    ("design_and_plan", "Design and plan"),
    ("implement", "Implement"),
    ("handover_and_sustain", "Handover and sustain"),
]
EMPLOYER_GROUPS = [
    ("Strategy", 3),
    ("Workforce planning", 5),
    ("Roles and responsibilities", 4),
    ("Recruitment and retention", 2),
    ("Training and education", 5),
]


def norm(text):
    return _SPACE.sub(" ", _MARKUP.sub("", text)).strip()


def load(name):
    return json.loads((SEED_DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def toolkit():
    return load("support_workforce_readiness.json")


@pytest.fixture(scope="module")
def readiness():
    return load("state_of_readiness.json")


def _seed_path(name):
    if not SEEDS.is_dir():
        pytest.skip(f"seed directory {SEEDS} not present")
    return SEEDS / name


@pytest.fixture(scope="module")
def toolkit_seed_lines():
    return _seed_path(TOOLKIT_SEED).read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def toolkit_seed(toolkit_seed_lines):
    return norm("\n".join(toolkit_seed_lines))


@pytest.fixture(scope="module")
def strategy_seed():
    return norm(_seed_path(STRATEGY_SEED).read_text(encoding="utf-8"))


def sections_by_code(toolkit):
    return {s["code"]: s for s in toolkit["sections"]}


def questions(section):
    return [q for g in section["groups"] for q in g["questions"]]


def all_questions(toolkit):
    for section in toolkit["sections"]:
        for q in questions(section):
            yield section["code"], q


def toolkit_strings(toolkit):
    """Every piece of seed wording in the toolkit transcription, labelled."""
    yield "title", toolkit["title"]
    yield "subtitle", toolkit["subtitle"]
    yield "how_to_use", toolkit["how_to_use"]
    yield "six_step_approach_intro", toolkit["six_step_approach_intro"]
    yield "six_step_approach_footer", toolkit["six_step_approach_footer"]
    for stage in toolkit["six_step_approach"]:
        yield f"stage {stage['code']} name", stage["name"]
        yield f"stage {stage['code']} description", stage["description"]
    for section in toolkit["sections"]:
        code = section["code"]
        yield f"{code} title", section["title"]
        if section["intro"]:
            yield f"{code} intro", section["intro"]
        yield f"{code} lead_guidance", section["lead_guidance"]
        for group in section["groups"]:
            if group["title"]:
                yield f"{code} group title", group["title"]
            for q in group["questions"]:
                yield f"{code} Q{q['number']} text", q["text"]
                yield f"{code} Q{q['number']} prompts", q["next_steps_prompts"]


def readiness_strings(readiness):
    yield "title", readiness["title"]
    yield "heading", readiness["heading"]
    yield "intro", readiness["intro"]
    for q in readiness["questions"]:
        yield f"Q{q['number']} title", q["title"]
        yield f"Q{q['number']} text", q["text"]
        yield f"Q{q['number']} guidance", q["guidance"]


# --- structure and counts (no seeds needed) ---------------------------------------------------


def test_toolkit_header(toolkit):
    assert toolkit["title"] == "Allied Health Professions support workforce: readiness toolkit 2021"
    assert toolkit["version"] == 1
    assert toolkit["source"].startswith("seed 002")


def test_section_counts_and_levels(toolkit):
    sections = sections_by_code(toolkit)
    assert [s["code"] for s in toolkit["sections"]] == ["regional", "system", "employer"]
    assert [s["level"] for s in toolkit["sections"]] == ["region", "ics", "provider"]
    assert len(questions(sections["regional"])) == 10
    assert len(questions(sections["system"])) == 10
    assert len(questions(sections["employer"])) == 19
    assert sections["regional"]["title"] == (
        "Section 1: Regional readiness - questions for regional teams and AHP Councils/Boards"
    )
    assert sections["system"]["title"] == "Section 2: System readiness - questions for ICSs"
    assert sections["employer"]["title"] == (
        "Section 3: Employer readiness - questions for NHS trusts and other employers"
    )


def test_regional_and_system_are_ungrouped(toolkit):
    sections = sections_by_code(toolkit)
    for code in ("regional", "system"):
        assert [g["title"] for g in sections[code]["groups"]] == [""]


def test_employer_groups(toolkit):
    groups = sections_by_code(toolkit)["employer"]["groups"]
    assert [(g["title"], len(g["questions"])) for g in groups] == EMPLOYER_GROUPS


def test_question_numbers_run_in_order(toolkit):
    for section in toolkit["sections"]:
        numbers = [q["number"] for q in questions(section)]
        assert numbers == [str(n) for n in range(1, len(numbers) + 1)], section["code"]


def test_every_question_has_text_and_prompts(toolkit):
    for code, q in all_questions(toolkit):
        assert q["text"].strip(), (code, q["number"])
        assert q["next_steps_prompts"].strip(), (code, q["number"])


def test_six_step_approach(toolkit):
    stages = toolkit["six_step_approach"]
    assert len(stages) == 6
    assert [(s["code"], s["name"]) for s in stages] == STAGES
    assert [s["number"] for s in stages] == [1, 2, 3, 4, 5, 6]
    assert all(s["description"].strip() for s in stages)


def test_state_of_readiness_structure(readiness):
    assert readiness["title"] == "State of readiness for future care"
    assert readiness["version"] == 1
    assert readiness["source"].startswith("seed 000")
    assert readiness["level"] == "provider"
    assert readiness["notes"].strip()
    qs = readiness["questions"]
    assert len(qs) == 4
    assert [q["number"] for q in qs] == ["1", "2", "3", "4"]
    assert [q["code"] for q in qs] == [
        "unique_selling_point",
        "extending_skills",
        "enhancing_skills_of_others",
        "shared_skills",
    ]
    assert all(q["text"].strip() and q["guidance"].strip() for q in qs)


@pytest.mark.parametrize(
    "name, strings",
    [
        ("support_workforce_readiness.json", toolkit_strings),
        ("state_of_readiness.json", readiness_strings),
    ],
)
def test_transcription_is_plain_text(name, strings):
    for label, text in strings(load(name)):
        assert not re.search(r"<[a-z/]|\*\*|•|\t|^- ", text, re.MULTILINE), (name, label, text)
        assert text == text.strip(), (name, label)


# --- word for word against the seeds -----------------------------------------------------------


def test_toolkit_wording_is_verbatim(toolkit, toolkit_seed):
    missing = [
        (label, text) for label, text in toolkit_strings(toolkit) if norm(text) not in toolkit_seed
    ]
    assert not missing, missing


def test_prompts_sit_on_their_questions_row(toolkit, toolkit_seed_lines):
    """The seed's tables are one row per line: question, Y/N, response, prompts. Each question's
    prompts must come from the same row as its text."""
    rows = [norm(line) for line in toolkit_seed_lines if "\t" in line]
    for code, q in all_questions(toolkit):
        text, prompts = norm(q["text"]), norm(q["next_steps_prompts"])
        matching = [row for row in rows if text in row]
        assert len(matching) == 1, (code, q["number"], matching)
        row = matching[0]
        assert prompts in row, (code, q["number"], row)
        assert row.index(text) < row.index(prompts), (code, q["number"], row)
        assert re.match(rf"{q['number']}\.|{re.escape(text)}", row), (code, q["number"], row)


def test_employer_group_headings_are_seed_rows(toolkit, toolkit_seed_lines):
    rows = [norm(line.split("\t")[0]) for line in toolkit_seed_lines if "\t" in line]
    for title, _count in EMPLOYER_GROUPS:
        assert title in rows, title


def test_state_of_readiness_wording_is_verbatim(readiness, strategy_seed):
    missing = [
        (label, text)
        for label, text in readiness_strings(readiness)
        if norm(text) not in strategy_seed
    ]
    assert not missing, missing


def test_state_of_readiness_questions_in_seed_order(readiness, strategy_seed):
    appendix = strategy_seed[strategy_seed.index("Appendix 2 State of readiness for future care") :]
    position = appendix.index(norm(readiness["intro"]))
    for q in readiness["questions"]:
        question = norm(f"{q['title']} - {q['text']}")
        found = appendix.index(question, position)
        guidance = appendix.index(norm(q["guidance"]), found)
        assert guidance == found + len(question) + 1, q["code"]
        position = guidance
