"""Grade the failure-mode card's three replies with the offline judge and print the findings.

    python examples/grade_card.py
"""

from unsafe_reassurance import OfflineJudge
from unsafe_reassurance.demo import CARD_MESSAGE, DEMO_ITEMS

judge = OfflineJudge()
for item in DEMO_ITEMS[:3]:
    v = judge.grade(item.response, CARD_MESSAGE)
    print(f"{item.name:22} expected {item.expected:4}  got {v.label:4}  "
          f"required={v.required_urgency} conveyed={v.conveyed_urgency} ordering={v.ordering}")
    for e in v.evidence:
        print(f"    {e.kind:8} @{e.start:<3} {e.quote!r}")
