"""The little Markdown the library's sentences use (`**bold**` and `- ` bullets, from
charts.trend_summary and friends), read into paragraphs and runs that the PDF and the deck
each write in their own way. Text is never run as markup: HTML is escaped by the PDF writer."""

from __future__ import annotations

import re

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def runs(text: str) -> list[tuple[str, bool]]:
    """'a **b** c' -> [('a ', False), ('b', True), (' c', False)]."""
    found, at = [], 0
    for match in _BOLD.finditer(text):
        if match.start() > at:
            found.append((text[at : match.start()], False))
        found.append((match.group(1), True))
        at = match.end()
    if at < len(text):
        found.append((text[at:], False))
    return found


def blocks(text: str) -> list[tuple[str, str]]:
    """('p', line) for a paragraph and ('li', line) for a bullet, in order."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith(("- ", "* ")):
            found.append(("li", line[2:].strip()))
        else:
            found.append(("p", line))
    return found


def plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)
