"""What a meeting takes away: the PowerPoint deck and the self-contained HTML report of a run.

Both are pure functions of a run (a `PresentedRun`) and a language, built from the same screens as
the Present page (`lstm_core.present.present_screens`). `safe_filename` makes their download names.
"""

from lstm_core.report._common import safe_filename
from lstm_core.report.deck import build_deck
from lstm_core.report.html import report_html

__all__ = ["build_deck", "report_html", "safe_filename"]
