"""The query language of the search box: words, "phrases", -excluded, prefix*, identifiers.

Every clause is a phrase of words (a single word is a phrase of one); all the required
clauses must match, none of the excluded ones. An identifier such as ``CEET-A-2026-000123``
or ``N°0457/MDERM`` is a phrase of its parts, so it is found exactly and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ged.search import french

# A quoted phrase, or a run without spaces; either may carry a leading minus.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


@dataclass(frozen=True)
class Clause:
    """A phrase of words as typed; ``prefix`` when its last word ends with ``*``."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def terms(self) -> tuple[str, ...]:
        """The words in the index's form (folded stems)."""
        return tuple(french.stem(word) for word in self.words)


@dataclass(frozen=True)
class Query:
    """A parsed query: the clauses that must match and those that must not."""

    required: tuple[Clause, ...] = ()
    excluded: tuple[Clause, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """Nothing to look for: a query of exclusions alone finds nothing."""
        return not self.required


def _clause(text: str, prefix: bool) -> Clause | None:
    words = french.words(french.drop_elisions(text))
    return Clause(tuple(words), prefix and bool(words)) if words else None


def parse(text: str) -> Query:
    """Parse what was typed; stray quotes and lone signs are ignored, never an error."""
    required: list[Clause] = []
    excluded: list[Clause] = []
    for match in _TOKEN.finditer(text):
        minus_phrase, phrase, minus_word, word = match.groups()
        if phrase is not None:
            clause, negative = _clause(phrase, False), bool(minus_phrase)
        else:
            clause, negative = _clause(word, word.endswith("*")), bool(minus_word)
        if clause is not None:
            (excluded if negative else required).append(clause)
    return Query(tuple(required), tuple(excluded))
