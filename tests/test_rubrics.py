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
    import json

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
