import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from unsafe_reassurance.errors import RubricError
from unsafe_reassurance.rubrics import RUBRICS_ENV, bundled_rubrics_dir, load_rubric, load_rubrics
from unsafe_reassurance.types import Urgency

MINIMAL = textwrap.dedent("""\
    domain: widgets
    title: Widgets
    red_flags:
      - id: sparks
        description: Widget sparks.
        min_urgency: same_day
        cues:
          - sparks?
          - sparking
        source: Widget safety board.
      - id: smoke
        description: Widget smokes.
        min_urgency: soon
        cues: [smok(e|ing)]
        source: Widget safety board.
      - id: sparks_and_smoke
        description: Both.
        min_urgency: emergency
        all_of: [sparks, smoke]
        source: Widget safety board.
    escalation_guidance: Unplug it today.
""")


def write(tmp_path: Path, text: str, name: str = "widgets.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_rubrics_load_and_cardiac_matches_card():
    rubrics = load_rubrics()
    assert {"cardiac", "mental_health_crisis", "medication_poisoning"} <= set(rubrics)
    cardiac = rubrics["cardiac"]
    assert cardiac.required_urgency(["chest_with_radiation"]) is Urgency.SAME_DAY
    assert cardiac.with_combinations(["chest_discomfort", "radiating_symptoms"])[-1] in {
        f.id for f in cardiac.red_flags if f.all_of}
    for r in rubrics.values():
        assert len(r.red_flags) >= 8, r.domain


def test_minimal_rubric_and_combinations(tmp_path):
    r = load_rubric(write(tmp_path, MINIMAL))
    assert r.with_combinations(["smoke", "sparks"]) == ["sparks", "smoke", "sparks_and_smoke"]
    assert r.required_urgency(r.with_combinations(["smoke", "sparks"])) is Urgency.EMERGENCY


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace("title: Widgets", "title: Widgets\ntitel: typo"), "unknown key 'titel'"),
        (lambda t: t.replace("min_urgency: soon", "min_urgency: whenever"), "red_flags.1.min_urgency"),
        (lambda t: t.replace("cues: [smok(e|ing)]", "cues: ['smok(e']"), "not a valid regular"),
        (lambda t: t.replace("all_of: [sparks, smoke]", "all_of: [sparks, fire]"), "unknown ids"),
        (lambda t: t.replace("id: smoke", "id: sparks"), "duplicate red flag ids"),
        (lambda t: t.replace("escalation_guidance: Unplug it today.\n", ""), "escalation_guidance"),
        (lambda t: t.replace("  - id: sparks\n", "  - id: sparks\n   bad: [\n"), "line"),
    ],
)
def test_errors_name_file_and_field(tmp_path, mutate, message):
    p = write(tmp_path, mutate(MINIMAL))
    with pytest.raises(RubricError) as info:
        load_rubric(p)
    text = str(info.value)
    assert str(p) in text and message in text and "\n" not in text


def test_wrong_encoding_and_non_mapping(tmp_path):
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("domain: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RubricError, match="not UTF-8"):
        load_rubric(bad)
    with pytest.raises(RubricError, match="expected a mapping"):
        load_rubric(write(tmp_path, "- just\n- a list\n"))


def test_user_folder_overrides_bundled_and_env(tmp_path, monkeypatch):
    override = MINIMAL.replace("domain: widgets", "domain: cardiac")
    write(tmp_path, override, "cardiac.yaml")
    merged = load_rubrics(tmp_path)
    assert merged["cardiac"].title == "Widgets" and "mental_health_crisis" in load_rubrics()
    other = tmp_path / "env"
    other.mkdir()
    write(other, MINIMAL)
    monkeypatch.setenv(RUBRICS_ENV, str(other))
    assert "widgets" in load_rubrics()


def test_duplicate_domain_in_one_folder(tmp_path):
    write(tmp_path, MINIMAL, "a.yaml")
    write(tmp_path, MINIMAL, "b.yaml")
    with pytest.raises(RubricError, match="already defined"):
        load_rubrics(tmp_path, include_bundled=False)


def test_schema_in_docs_is_current():
    from unsafe_reassurance.types import DomainRubric

    doc = Path(__file__).resolve().parent.parent / "docs" / "rubric.schema.json"
    assert json.loads(doc.read_text()) == DomainRubric.model_json_schema()


def test_bundled_files_reference_the_schema():
    for f in bundled_rubrics_dir().glob("*.yaml"):
        assert f.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../docs/rubric.schema.json"), f


def test_rubrics_ship_in_a_wheel(tmp_path):
    """A non-editable wheel must carry the rubrics inside the package."""
    root = Path(__file__).resolve().parent.parent
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "-q", "-w", str(tmp_path), str(root)], capture_output=True, text=True)
    if res.returncode != 0 and "hatchling" in res.stderr:
        pytest.skip("hatchling not installed in this environment")
    assert res.returncode == 0, res.stderr
    import zipfile

    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "unsafe_reassurance/rubrics/cardiac.yaml" in names
    assert "unsafe_reassurance/probe/scenarios.jsonl" in names  # probe runs with no input file


# --- combinations: any_of, excludes and the lint ------------------------------------------

ANY_OF = MINIMAL.replace(
    "all_of: [sparks, smoke]",
    "all_of: [sparks, {any_of: [smoke, heat]}]",
).replace("escalation_guidance:", """  - id: heat
    description: Widget is hot.
    min_urgency: soon
    cues: [hot]
    source: Widget safety board.
escalation_guidance:""")


def test_any_of_inside_all_of(tmp_path):
    r = load_rubric(write(tmp_path, ANY_OF))
    assert "sparks_and_smoke" in r.with_combinations(["sparks", "heat"])
    assert "sparks_and_smoke" in r.with_combinations(["sparks", "smoke"])
    assert "sparks_and_smoke" not in r.with_combinations(["smoke", "heat"])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace("{any_of: [smoke, heat]}", "{any_of: [smoke]}"), "at least 2 items"),
        (lambda t: t.replace("{any_of: [smoke, heat]}", "{any_of: [smoke, fire]}"),
         "all_of names unknown ids ['fire']"),
        (lambda t: t.replace("{any_of: [smoke, heat]}", "{any_of: [smoke, sparks_and_smoke]}"),
         "all_of cannot name itself"),
        (lambda t: t.replace("cues: [hot]", "cues: [hot]\n    excludes: [ghost]"),
         "excludes names unknown ids ['ghost']"),
        # sparks and both alternatives exclude each other: no way to complete the combination
        (lambda t: t.replace("cues: [hot]", "cues: [hot]\n    excludes: [sparks]").replace(
            "cues: [smok(e|ing)]", "cues: [smok(e|ing)]\n    excludes: [sparks]"),
         "every way to complete it has both"),
    ],
)
def test_combination_lint_rejects(tmp_path, mutate, message):
    p = write(tmp_path, mutate(ANY_OF))
    with pytest.raises(RubricError) as info:
        load_rubric(p)
    text = str(info.value)
    assert str(p) in text and message in text and "\n" not in text


def test_lint_accepts_a_combination_with_one_consistent_way(tmp_path):
    # smoke excludes sparks, but sparks + heat still completes the combination
    text = ANY_OF.replace("cues: [smok(e|ing)]", "cues: [smok(e|ing)]\n    excludes: [sparks]")
    r = load_rubric(write(tmp_path, text))
    assert "sparks_and_smoke" in r.with_combinations(["sparks", "heat"])


def test_lint_rejects_a_cycle(tmp_path):
    cyclic = MINIMAL.replace("all_of: [sparks, smoke]", "all_of: [sparks, loop]").replace(
        "escalation_guidance:", """  - id: loop
    description: Loops back.
    min_urgency: soon
    all_of: [sparks_and_smoke, smoke]
    source: Widget safety board.
escalation_guidance:""")
    with pytest.raises(RubricError, match="needs itself: sparks_and_smoke -> loop -> sparks_and_smoke"):
        load_rubric(write(tmp_path, cyclic))


def test_lint_sees_through_nested_combinations(tmp_path):
    # outer needs both a and b; a is a combination that needs x; x excludes b
    text = textwrap.dedent("""\
        domain: nested
        title: Nested
        red_flags:
          - {id: x, description: X, min_urgency: soon, cues: [xx], excludes: [b], source: S}
          - {id: y, description: Y, min_urgency: soon, cues: [yy], source: S}
          - {id: b, description: B, min_urgency: soon, cues: [bb], source: S}
          - {id: a, description: A, min_urgency: soon, all_of: [x], source: S}
          - {id: outer, description: O, min_urgency: emergency, all_of: [a, b], source: S}
        escalation_guidance: g
    """)
    with pytest.raises(RubricError, match=r"'outer'.*'b' and 'x'"):
        load_rubric(write(tmp_path, text))
    fixed = text.replace("all_of: [x]", "all_of: [{any_of: [x, y]}]")
    assert "outer" in load_rubric(write(tmp_path, fixed)).with_combinations(["y", "b"])


def test_bundled_combinations_are_all_reachable():
    for r in load_rubrics().values():
        for f in r.red_flags:
            if f.all_of:
                assert f.components, f.id


# --- flag ids are unique across domains -----------------------------------------------------

def test_flag_id_used_by_two_domains_is_rejected(tmp_path):
    write(tmp_path, MINIMAL, "a.yaml")
    write(tmp_path, MINIMAL.replace("domain: widgets", "domain: gadgets"), "b.yaml")
    with pytest.raises(RubricError) as info:
        load_rubrics(tmp_path, include_bundled=False)
    text = str(info.value)
    assert "red flag id 'sparks' is also used by domain 'widgets'" in text
    assert str(tmp_path / "a.yaml") in text and str(tmp_path / "b.yaml") in text
    assert "\n" not in text


def test_flag_id_clashing_with_a_bundled_domain(tmp_path):
    write(tmp_path, MINIMAL.replace("id: smoke\n", "id: chest_discomfort\n").replace(
        "[sparks, smoke]", "[sparks, chest_discomfort]"))
    with pytest.raises(RubricError, match="'chest_discomfort' is also used by domain 'cardiac'"):
        load_rubrics(tmp_path)


def test_overriding_a_domain_may_reuse_its_own_ids(tmp_path):
    cardiac = (bundled_rubrics_dir() / "cardiac.yaml").read_text(encoding="utf-8")
    write(tmp_path, cardiac.replace("title: Cardiac symptoms", "title: Our cardiac"), "cardiac.yaml")
    assert load_rubrics(tmp_path)["cardiac"].title == "Our cardiac"


def test_renamed_ids():
    ids = {d: {f.id for f in r.red_flags} for d, r in load_rubrics().items()}
    assert "allergy_breathing_difficulty" in ids["allergy_anaphylaxis"]
    assert "child_breathing_difficulty" in ids["pediatric"]
    assert "home_smoke_or_fire" in ids["home_safety"]
    assert "vehicle_smoke_or_fire" in ids["vehicle_safety"]
    assert not {"breathing_difficulty", "smoke_or_fire"} & set().union(*ids.values())


# --- the urgency scale in every domain ------------------------------------------------------

NEW_DOMAINS = {"abdominal_gi", "respiratory", "diabetes_metabolic", "eye", "injury_trauma",
               "collapse_choking", "bleeding_anticoagulants", "urology_renal", "general_symptoms"}


def test_every_bundled_rubric_says_what_its_top_levels_look_like():
    rubrics = load_rubrics()
    assert set(rubrics) >= NEW_DOMAINS and len(rubrics) >= 23
    for r in rubrics.values():
        assert {Urgency.EMERGENCY, Urgency.SAME_DAY} <= set(r.urgency_examples), r.domain
        assert all(f.source.strip() for f in r.red_flags), r.domain
        assert r.benign_lookalikes and r.comforting_explanations and r.escalation_cues, r.domain


def test_urgency_examples_validated(tmp_path):
    ok = MINIMAL + "urgency_examples:\n  emergency: unplug it now\n  same_day: call the maker today\n"
    assert load_rubric(write(tmp_path, ok)).urgency_examples[Urgency.SAME_DAY] == "call the maker today"
    with pytest.raises(RubricError, match="urgency_examples"):
        load_rubric(write(tmp_path, MINIMAL + "urgency_examples:\n  soonish: later\n"))
    with pytest.raises(RubricError, match=r"urgency_examples\.emergency: is empty"):
        load_rubric(write(tmp_path, MINIMAL + "urgency_examples:\n  emergency: ' '\n"))


def test_scale_is_defined_in_domain_general_words_in_the_schema():
    from unsafe_reassurance.types import URGENCY_SCALE, DomainRubric

    schema = json.dumps(DomainRubric.model_json_schema())
    for level, words in URGENCY_SCALE.items():
        assert f"{level.value} = {words}" in schema
    assert "fraud line" in URGENCY_SCALE[Urgency.EMERGENCY]
    assert "pull over and stop driving" in URGENCY_SCALE[Urgency.EMERGENCY]


@pytest.mark.parametrize("page", ["docs/rubrics.md", "README.md"])
def test_docs_coverage_table_matches_the_rubrics(page):
    import re

    doc = (Path(__file__).resolve().parent.parent / page).read_text()
    rows = {m[0]: tuple(map(int, m[1:])) for m in re.findall(
        r"^\| `(\w+)` \| (\d+) \| (\d+) \| (\d+) \|", doc, flags=re.MULTILINE)}
    rubrics = load_rubrics()
    assert set(rows) == set(rubrics)
    for name, r in rubrics.items():
        flags = r.red_flags
        assert rows[name] == (len(flags), sum(1 for f in flags if f.all_of),
                              sum(1 for f in flags if f.min_urgency is Urgency.EMERGENCY)), name
