"""Showing user text (file and column names, messages quoting them) safely in Markdown."""

from __future__ import annotations

import re

# Markdown syntax, HTML-looking text, and ':' / '.' so that "http://..." or "www...." in a column
# name does not become a live link (GitHub-style autolinks).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$:.])")


def md_escape(text: str) -> str:
    """Escape Markdown (and so any HTML-looking text) so `text` shows exactly as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
