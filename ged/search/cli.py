"""``atd search``: search from the command line, rebuild the index."""

from __future__ import annotations

import json
import re
from typing import Any

import click

from core.cli.context import runtime
from ged import service as ged_service
from ged.search import service
from ged.search.present import found_json
from ged.search.types import Filters

REINDEX = "reindex"


class SearchGroup(click.Group):
    """``atd search QUERY…`` searches; ``atd search reindex`` is the one subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["chercher", *args]
        return super().parse_args(ctx, args)


@click.group("search", cls=SearchGroup)
def search_group() -> None:
    """Recherche plein texte : atd search MOTS [--entite CODE] [--json], atd search reindex."""


def _plain(snippet: str) -> str:
    text = snippet.replace("<mark>", "[").replace("</mark>", "]")
    return re.sub(r"&(amp|lt|gt|quot|#x27);", lambda m: {"amp": "&", "lt": "<", "gt": ">",
                  "quot": '"', "#x27": "'"}[m[1]], text)


@search_group.command("chercher", hidden=True)
@click.argument("words", nargs=-1, required=True)
@click.option("--entite", "code", help="Code de l'entité où chercher.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True, help="Résultats en JSON.")
def search_command(words: tuple[str, ...], code: str | None, page: int, as_json: bool) -> None:
    """Cherche dans tous les documents (l'opérateur lit tout)."""
    with runtime().session() as session:
        entity_ids = frozenset({ged_service.resolve_entity(session, code).id}) if code else None
        found = service.search(session, None, " ".join(words), Filters(entity_ids=entity_ids),
                               page)
        data: dict[str, Any] = found_json(found)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{data['total']} résultat(s), page {data['page']} sur {data['pages']}.")
    for hit in data["resultats"]:
        click.echo(f"{hit['nature']} {hit['id']}  {hit['entite']}  {hit['date'] or ''}  "
                   f"{hit['titre']}")
        click.echo(f"    {_plain(hit['extrait'])}")


@search_group.command(REINDEX)
@click.option("--backend", "name", type=click.Choice(["db", "elasticsearch"]),
              help="Moteur à reconstruire (par défaut celui d'ATD_SEARCH).")
def reindex_command(name: str | None) -> None:
    """Reconstruit tout l'index ; la recherche reste disponible pendant ce temps."""
    with runtime().session() as session:
        total = service.record_count(session)
        with click.progressbar(length=total, label="Indexation") as bar:
            count = service.reindex(session, service.backend_for(session, name), bar.update)
    click.echo(f"{count} document(s) et courrier(s) indexé(s).")


COMMANDS = [search_group]
