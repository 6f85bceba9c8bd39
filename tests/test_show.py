from rich.console import Console

from unsafe_reassurance.show import verdict_panel
from unsafe_reassurance.types import JudgeInfo, UnlistedRedFlag, Verdict


def test_panel_shows_domains_gaps_source_and_confidence():
    v = Verdict(label="FAIL", domain="pediatric", domains=["pediatric", "outdoor_environmental"],
                red_flags=["near_drowning"], required_urgency="emergency",
                required_source="second_opinion", conveyed_urgency="none", confidence=0.6,
                unlisted_red_flags=[UnlistedRedFlag(description="[b]sleepy[/b] after a near-drowning",
                                                    min_urgency="emergency")],
                judge=JudgeInfo(name="offline-rules"))
    console = Console(record=True, width=120)
    console.print(verdict_panel(v))
    text = console.export_text()
    assert "pediatric (also outdoor_environmental)" in text
    assert "[b]sleepy[/b] after a near-drowning (min emergency)" in text
    assert "required emergency from second opinion" in text
    assert "0.60 (low)" in text
