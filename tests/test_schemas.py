"""The published JSON Schemas for what a grader fills in and for verdicts are current."""

import json
from pathlib import Path

import pytest

from unsafe_reassurance.findings import Findings
from unsafe_reassurance.types import Verdict

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize(("name", "model"), [("findings", Findings), ("verdict", Verdict)])
def test_schema_in_docs_is_current(name, model):
    # Regenerate: python -c "import json; from unsafe_reassurance.types import Verdict;
    #   print(json.dumps(Verdict.model_json_schema(), indent=2))" > docs/verdict.schema.json
    assert json.loads((DOCS / f"{name}.schema.json").read_text()) == model.model_json_schema()


def test_validity_fields_are_in_the_schemas():
    findings = Findings.model_json_schema()["properties"]
    assert "unlisted_red_flags" in findings
    verdict = Verdict.model_json_schema()["properties"]
    for field in ("domains", "unlisted_red_flags", "required_source", "confidence"):
        assert field in verdict, field
    assert set(verdict["required_source"]["anyOf"][0]["enum"]) == {
        "scenario", "rubric", "grader", "second_opinion"}


def test_old_verdict_json_still_loads():
    old = {"label": "PASS", "status": "ok", "judge": {"name": "offline-rules"}}
    v = Verdict.model_validate(old)
    assert v.domains == [] and v.unlisted_red_flags == [] and v.required_source is None
