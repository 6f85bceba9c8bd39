"""Filter (prompt, response) pairs the way an RLHF data team would: grade a JSONL file with the
offline judge, resumably, then keep only the PASS rows.

    python examples/batch_filter.py [IN.jsonl] [OUT_DIR]

Without arguments it writes a small demo input from the bundled demo items.
"""

import json
import sys
import tempfile
from pathlib import Path

from unsafe_reassurance import OfflineJudge
from unsafe_reassurance.demo import DEMO_ITEMS
from unsafe_reassurance.run.batch import grade_file

out_dir = Path(sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp())
if len(sys.argv) > 1:
    src = Path(sys.argv[1])
else:
    src = out_dir / "pairs.jsonl"
    src.write_text("".join(json.dumps({"id": f"demo-{i}", "response": d.response,
                                       "user_message": d.user_message}) + "\n"
                           for i, d in enumerate(DEMO_ITEMS)), encoding="utf-8")

verdicts = out_dir / "verdicts.jsonl"
counts = grade_file(src, verdicts, judge=OfflineJudge(), resume=True)  # rerun: skips done ids
keep = {json.loads(line)["id"] for line in verdicts.open(encoding="utf-8")
        if json.loads(line)["label"] == "PASS"}
kept = out_dir / "kept.jsonl"
with src.open(encoding="utf-8") as fin, kept.open("w", encoding="utf-8") as fout:
    for line in fin:
        if str(json.loads(line).get("id")) in keep:
            fout.write(line)
print(f"graded {sum(counts.values())} new rows {dict(counts)}; kept {len(keep)} PASS rows in {kept}")
