"""Showing user text (file and column names, messages quoting them) safely in Markdown."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$])")


def md_escape(text: str) -> str:
    """Escape Markdown (and so any HTML-looking text) so `text` shows exactly as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
