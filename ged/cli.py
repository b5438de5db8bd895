"""``atd ged``: add documents, show them, verify the file store, run a reading again."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from core.cli.context import runtime
from core.errors import AtdError
from core.jobs import LocalQueue
from core.runtime import Runtime
from ged import service
from ged.models import Document, DocumentVersion
from ged.present import document_json
from ged.storage import FileStore, verify

POLL_SECONDS = 0.5


@click.group("ged")
def ged_group() -> None:
    """GED : ajout, consultation et vérification des documents."""


def _wait(rt: Runtime, version_ids: list[int]) -> list[DocumentVersion]:
    """Block until every version's reading has ended; return the versions as they ended."""
    queue = rt.queue
    if isinstance(queue, LocalQueue):
        queue.wait()
    while True:
        with rt.session() as session:
            versions = [session.get(DocumentVersion, vid) for vid in version_ids]
            if all(v is not None and v.status in ("terminee", "echec") for v in versions):
                return [v for v in versions if v is not None]
        time.sleep(POLL_SECONDS)  # rq workers elsewhere: watch the database


def _report(versions: list[DocumentVersion]) -> bool:
    """One line per failed reading on stderr; True when every reading succeeded."""
    ok = True
    for version in versions:
        if version.status == "echec":
            ok = False
            click.echo(f"Échec de lecture du document {version.document_id} : {version.reason}",
                       err=True)
    return ok


@ged_group.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--entite", required=True, help="Code de l'entité propriétaire.")
@click.option("--titre", help="Titre (par défaut le nom du fichier).")
@click.option("--type", "doc_type", default="", help="Type de document (courrier, rapport…).")
@click.option("--wait", is_flag=True, help="Attend la fin de la lecture (code non nul si échec).")
def add_command(files: tuple[Path, ...], entite: str, titre: str | None, doc_type: str,
                wait: bool) -> None:
    """Ajoute des fichiers à la GED ; affiche « ID<TAB>FICHIER » pour chacun."""
    rt = runtime()
    added: list[int] = []
    refused = 0
    for path in files:
        fields = {"doc_type": doc_type, **({"title": titre} if titre else {})}
        try:
            with rt.session() as session, path.open("rb") as fh:
                entity = service.resolve_entity(session, entite)
                document = service.add_document(session, None, service.Upload(path.name, fh),
                                                entity, **fields)
                version_id = document.current.id if document.current else 0
                document_id = document.id
        except (AtdError, OSError) as exc:
            refused += 1
            click.echo(f"Refusé : {path} : {getattr(exc, 'strerror', None) or exc}", err=True)
            continue
        added.append(version_id)
        click.echo(f"{document_id}\t{path}")
    # Without Redis the readings run in this process: it stays until they end either way.
    if wait or isinstance(rt.queue, LocalQueue):
        ended = _wait(rt, added)
        if wait and not _report(ended):
            sys.exit(1)
    if refused:
        sys.exit(1)


@ged_group.command("show")
@click.argument("document_id", type=int)
@click.option("--text", "text_only", is_flag=True,
              help="Seulement le texte (pages séparées par un saut de page).")
@click.option("--json", "as_json", is_flag=True, help="Le document en JSON.")
def show_command(document_id: int, text_only: bool, as_json: bool) -> None:
    """Affiche un document, ses versions et l'état de sa lecture."""
    with runtime().session() as session:
        document = service.get_document(session, None, document_id)
        version = document.current
        if text_only:
            click.echo(version.text if version else "")
        elif as_json:
            data = document_json(document)
            data["pages"] = [
                {"numero": p.number, "source": p.source, "confiance": p.confidence,
                 "rotation": p.rotation} for p in (version.pages if version else [])
            ]
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            _describe(document)


def _describe(document: Document) -> None:
    click.echo(f"Document {document.id} : {document.title}")
    click.echo(f"  entité {document.entity.code}, type « {document.doc_type or '—'} », "
               f"{document.confidentiality}")
    for version in document.versions:
        reason = f" ({version.reason})" if version.reason else ""
        click.echo(f"  version {version.number} : {version.filename}, {version.kind}, "
                   f"{version.size} octets, {version.page_count or '?'} page(s), "
                   f"{version.status}{reason}")
    current = document.current
    for page in current.pages if current else []:
        confidence = f", confiance {page.confidence:.0f}" if page.confidence is not None else ""
        rotation = f", tournée de {page.rotation}°" if page.rotation else ""
        click.echo(f"    page {page.number} : {page.source}{confidence}{rotation}, "
                   f"{len(page.text)} caractères")


@ged_group.command("verify")
def verify_command() -> None:
    """Recalcule l'empreinte de chaque fichier stocké ; échoue si l'un manque ou est altéré."""
    rt = runtime()
    with rt.session() as session:
        addresses = sorted(set(service.stored_addresses(session)))
    problems = list(verify(FileStore(rt.settings.storage_dir), addresses))
    for problem in problems:
        click.echo(f"{problem.what} : {problem.sha256}", err=True)
    if problems:
        click.echo(f"{len(problems)} fichier(s) sur {len(addresses)} manquant(s) ou altéré(s).",
                   err=True)
        sys.exit(1)
    click.echo(f"{len(addresses)} fichiers vérifiés : tous présents et intacts.")


@ged_group.command("retry")
@click.argument("document_id", type=int)
def retry_command(document_id: int) -> None:
    """Relance la lecture de la version courante d'un document (après un échec)."""
    rt = runtime()
    with rt.session() as session:
        version_id = service.retry(session, None, document_id).id
    click.echo(f"Lecture du document {document_id} relancée.")
    if isinstance(rt.queue, LocalQueue):
        if not _report(_wait(rt, [version_id])):
            sys.exit(1)


COMMANDS = [ged_group]
