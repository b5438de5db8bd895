"""The query parser and the French normaliser, shared by every backend."""

from __future__ import annotations

import pytest

from ged.search import french
from ged.search.query import Clause, parse


@pytest.mark.parametrize(("text", "terms"), [
    ("Échéances", ["echeanc"]),
    ("l'arrêté", ["arret"]),
    ("jusqu’à", ["a"]),
    ("raccordements RACCORDEMENT", ["raccord", "raccord"]),
    ("CEET-A-2026-000123", ["ceet", "a", "2026", "000123"]),
    ("N°0457/MDERM", ["n", "0457", "mderm"]),
])
def test_index_terms_fold_case_accents_elisions_and_plurals(text, terms):
    assert french.terms(text) == terms


def test_flatten_gives_postgresql_words_without_separators_or_elisions():
    assert french.flatten("L'arrêté N°0457/MDERM, CEET-A-2026") == "arrêté N 0457 MDERM CEET A 2026"


def test_parser_reads_phrases_exclusions_prefixes_and_identifiers():
    query = parse('"réseau électrique" -"zone franche" -facture raccord* CEET-A-2026-000123')
    assert query.required == (Clause(("réseau", "électrique")), Clause(("raccord",), True),
                              Clause(("CEET", "A", "2026", "000123")))
    assert query.excluded == (Clause(("zone", "franche")), Clause(("facture",)))


@pytest.mark.parametrize("text", ['"', "-", "*", "  ", '"" -""', "-*"])
def test_stray_signs_parse_to_an_empty_query_not_an_error(text):
    assert parse(text).empty
