"""Output file handling (check, torn-tail repair, dropping errors), the id index, the writers."""

import csv
import json

import pytest

from unsafe_reassurance.errors import InputError
from unsafe_reassurance.run.index import IdIndex
from unsafe_reassurance.run.output import (
    check_output,
    drop_errors,
    load_done,
    repair_tail,
    resume_output,
)
from unsafe_reassurance.run.writers import open_writer, output_format


def test_check_output_refuses_folders_non_empty_files_and_unwritable_places(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        check_output(tmp_path)
    out = tmp_path / "out.jsonl"
    assert check_output(out) == out and not out.exists()  # checking never creates anything
    out.write_text("x\n")
    with pytest.raises(InputError, match="exists and is not empty"):
        check_output(out)
    assert check_output(out, resume=True) == out and check_output(out, overwrite=True) == out
    (tmp_path / "empty.jsonl").write_text("")
    check_output(tmp_path / "empty.jsonl")
    (tmp_path / "afile").write_text("")
    with pytest.raises(InputError, match="is not a folder"):
        check_output(tmp_path / "afile" / "out.jsonl")
    check_output(tmp_path / "new" / "deeper" / "out.jsonl")  # folders will be created


@pytest.mark.parametrize(("content", "kept"), [
    (b"", b""),
    (b'{"id": 1}\n', b'{"id": 1}\n'),
    (b'{"id": 1}\n{"id": 2', b'{"id": 1}\n'),
    (b'{"id": 1', b""),
    (b'{"id": 1}\n' + b"x" * 200_000, b'{"id": 1}\n'),  # the tear spans several read blocks
])
def test_repair_tail_cuts_back_to_the_last_newline(tmp_path, content, kept):
    path = tmp_path / "out.jsonl"
    path.write_bytes(content)
    assert repair_tail(path) == len(content) - len(kept)
    assert path.read_bytes() == kept


def test_drop_errors_rewrites_only_when_needed_and_load_done_streams_ids(tmp_path):
    path = tmp_path / "out.jsonl"
    lines = [{"id": "a", "status": "ok"}, {"id": "b", "status": "error", "error": "x"},
             {"id": 3, "status": "ok"}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert drop_errors(path) == 1
    assert [json.loads(x)["id"] for x in path.read_text().splitlines()] == ["a", 3]
    assert drop_errors(path) == 0 and list(tmp_path.iterdir()) == [path]  # no temp file left
    with IdIndex() as index:
        assert load_done(path, index) == 2
        assert "a" in index and "3" in index and "b" not in index and len(index) == 2


def test_resume_output_repairs_drops_errors_by_predicate_and_loads_a_chosen_key(tmp_path):
    path = tmp_path / "kept.jsonl"
    lines = [{"id": 1, "ur_id": "a", "ur_status": "ok"},
             {"ur_id": "b", "ur_chosen_status": "ok", "ur_rejected_status": "error"},
             {"ur_id": "c", "ur_status": "ok"}]
    text = "".join(json.dumps(x) + "\n" for x in lines)
    path.write_text(text + '{"ur_id": "d", "ur_sta')

    def failed(obj):
        return "error" in (obj.get("ur_status"), obj.get("ur_rejected_status"))

    with IdIndex() as index:
        assert resume_output(path, index, key="ur_id", is_error=failed) == 3
        assert set(index) == {"a", "b", "c"} and path.read_text() == text  # tail repaired only
    with IdIndex() as index:
        assert resume_output(path, index, retry_errors=True, key="ur_id", is_error=failed) == 2
        assert set(index) == {"a", "c"}
    with IdIndex() as index:  # the default key and predicate are grade-file's
        assert load_done(path, index) == 1 and set(index) == {"1"}


def test_id_index_reports_the_first_location_of_a_duplicate():
    with IdIndex(commit_every=2) as ids:
        for i in range(5):
            assert ids.add(f"id{i}", f"f:{i}") is None
        assert ids.add("id3", "f:9") == "f:3"
        assert sorted(ids) == [f"id{i}" for i in range(5)]


def test_writers_stream_jsonl_csv_and_parquet(tmp_path):
    rows = [{"id": 1, "messages": [{"role": "user", "content": "hi"}], "ur_label": "PASS",
             "ur_error": None}, {"id": 2, "messages": [], "ur_label": None, "ur_error": "x"}]
    for fmt in ("jsonl", "csv"):
        with open_writer(tmp_path / f"o.{fmt}", fmt) as w:
            for r in rows:
                w.write(r)
    assert [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()] == rows
    with (tmp_path / "o.csv").open() as fh:
        got = list(csv.DictReader(fh))
    assert json.loads(got[0]["messages"])[0]["content"] == "hi" and got[1]["ur_label"] == ""
    with pytest.raises(InputError, match="columns not in the first row: extra"), \
            open_writer(tmp_path / "bad.csv", "csv") as w:
        w.write({"a": 1})
        w.write({"a": 2, "extra": 3})
    pq = pytest.importorskip("pyarrow.parquet")
    with open_writer(tmp_path / "o.parquet", "parquet") as w:
        for r in rows:
            w.write(r)
    assert pq.read_table(tmp_path / "o.parquet").to_pylist()[1]["ur_error"] == "x"
    with open_writer(tmp_path / "empty.parquet", "parquet"):
        pass
    assert pq.read_table(tmp_path / "empty.parquet").num_rows == 0


def test_jsonl_writer_appends_and_flushes_each_record(tmp_path):
    path = tmp_path / "kept.jsonl"
    with open_writer(path) as w:
        w.write({"a": 1})
        assert path.read_text() == '{"a": 1}\n'  # on disk before close: a kill loses nothing
    with open_writer(path, append=True) as w:
        w.write({"a": 2})
    assert path.read_text() == '{"a": 1}\n{"a": 2}\n'
    with pytest.raises(InputError, match=r"only a \.jsonl output can be continued"):
        open_writer(tmp_path / "kept.csv", "csv", append=True)


def test_output_format_follows_the_suffix_then_the_input():
    assert output_format("k.parquet", "jsonl") == "parquet"
    assert output_format("kept", "csv") == "csv"
    with pytest.raises(InputError, match="name the output"):
        output_format("kept", "hf")
