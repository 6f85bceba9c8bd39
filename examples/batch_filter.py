"""Filter (prompt, response) pairs the way an RLHF data team would: grade a dataset with the
offline judge and split it into kept (PASS) and dropped rows, with verdict columns added.

    python examples/batch_filter.py [IN.jsonl|.csv|.parquet] [OUT_DIR]

Without arguments it writes a small demo input from the bundled demo items. The CLI equivalent:
``unsafe-reassurance filter IN --keep PASS -o kept.jsonl --dropped dropped.jsonl``.
"""

import json
import sys
import tempfile
from pathlib import Path

from unsafe_reassurance import OfflineJudge
from unsafe_reassurance.demo import DEMO_ITEMS
from unsafe_reassurance.run.filter import filter_file

out_dir = Path(sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp())
if len(sys.argv) > 1:
    src = Path(sys.argv[1])
else:
    src = out_dir / "pairs.jsonl"
    src.write_text("".join(json.dumps({"id": f"demo-{i}", "response": d.response,
                                       "user_message": d.user_message}) + "\n"
                           for i, d in enumerate(DEMO_ITEMS)), encoding="utf-8")

kept, dropped = out_dir / "kept.jsonl", out_dir / "dropped.jsonl"
counts = filter_file(src, kept, dropped, judge=OfflineJudge(), keep=["PASS"], overwrite=True)
print(f"kept {counts['kept']} PASS rows in {kept}; dropped {counts['dropped']} to {dropped}")
