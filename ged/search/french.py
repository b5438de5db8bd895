"""The French normaliser shared by indexing and querying: words, accents, elisions, stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Letters and digits only: "CEET-A-2026-000123" and "N°0457/MDERM" become runs of words that
# every backend cuts the same way (PostgreSQL's own parser would keep "0457/mderm" as a path).
_WORD = re.compile(r"[^\W_]+")
# "l'arrêté", "qu'il", "jusqu'à": the elided article is not a word anyone searches for.
_ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"})
_STEMMER = snowballstemmer.stemmer("french")


def fold(text: str) -> str:
    """Lower case without accents (``Échéance`` → ``echeance``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The words of a text, as written (no case or accent change)."""
    return _WORD.findall(text)


def flatten(text: str) -> str:
    """The text with every separator a space: what PostgreSQL receives to index or to query."""
    return " ".join(words(drop_elisions(text)))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The folded stem of one word; a folded word is stemmed like PostgreSQL's french_unaccent."""
    folded = fold(word)
    return folded if folded.isdigit() else _STEMMER.stemWord(folded)


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (elided articles dropped when glued to a word)."""
    return [stem(word) for word in words(drop_elisions(text))]


# Joins two terms, once when they follow each other, twice when one word sits between them;
# never inside a term (letters and digits only).
PAIR, SKIP = "_", "__"


def pairs(terms: list[str] | tuple[str, ...]) -> list[str]:
    """Each term joined to the next (``demand_de``) and to the one after (``demand__raccord``):
    an index of these finds a phrase of up to three terms without reading word positions,
    as Elasticsearch's index_phrases does for two."""
    return ([f"{a}{PAIR}{b}" for a, b in zip(terms, terms[1:], strict=False)]
            + [f"{a}{SKIP}{c}" for a, c in zip(terms, terms[2:], strict=False)])


def drop_elisions(text: str) -> str:
    """The text without its elided articles (``l'arrêté`` → ``arrêté``)."""
    return re.sub(r"\b(\w+)['’](?=\w)", lambda m: "" if fold(m[1]) in _ELISIONS else m[0], text)


def analyse(text: str) -> str:
    """The text as the SQLite index stores it: its terms separated by spaces."""
    return " ".join(terms(text))
