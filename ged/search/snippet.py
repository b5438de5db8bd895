"""Snippets for the backends without a highlighter of their own: the best window, words marked."""

from __future__ import annotations

import re
from html import escape

from ged.search import french
from ged.search.query import Query

_WORD = re.compile(r"[^\W_]+")
WINDOW = 30  # words shown around the matches


def _matcher(query: Query) -> tuple[set[str], tuple[str, ...]]:
    exact: set[str] = set()
    prefixes: list[str] = []
    for clause in query.required:
        terms = clause.terms
        exact.update(terms[:-1] if clause.prefix else terms)
        if clause.prefix:
            prefixes.append(terms[-1])
    return exact, tuple(prefixes)


def highlight(text: str, query: Query, window: int = WINDOW) -> str:
    """An HTML-safe extract of ``text`` around its densest matches, matched words marked."""
    exact, prefixes = _matcher(query)
    words = list(_WORD.finditer(text))
    if not words:
        return ""
    # Each distinct word stemmed once: a page of text repeats most of its words.
    matching = {word for word in {m[0] for m in words}
                if (term := french.stem(word)) in exact or term.startswith(prefixes or ("\0",))}
    hits = [i for i, m in enumerate(words) if m[0] in matching]
    start = _best_start(hits, len(words), window)
    chosen = words[start:start + window]
    marked = {i for i in hits if start <= i < start + window}
    out: list[str] = ["… " if start > 0 else ""]
    position = chosen[0].start()
    for offset, match in enumerate(chosen, start):
        out.append(escape(text[position:match.start()]))
        word = escape(match[0])
        out.append(f"<mark>{word}</mark>" if offset in marked else word)
        position = match.end()
    # The punctuation after the last word shown, then the ellipsis when the text goes on.
    out.append(escape(text[position:] if start + window >= len(words)
                      else text[position:words[start + window].start()]))
    if start + window < len(words):
        out.append("…")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _best_start(hits: list[int], count: int, window: int) -> int:
    """The first word of the window holding the most hits (the text's start when none)."""
    if not hits:
        return 0
    best, best_count, right = hits[0], 0, 0
    for left, first in enumerate(hits):
        while right < len(hits) and hits[right] < first + window:
            right += 1
        if right - left > best_count:
            best, best_count = first, right - left
    # A few words of context before the first match read better than starting on it.
    return max(0, min(best - 3, count - window))
