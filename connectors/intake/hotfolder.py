"""The scanner hot folder: each complete file is taken once, then moved out of the way.

Layout: ``DIR/<ENTITE>/`` feeds the mail office's intake queue of that entity, and
``DIR/<ENTITE>/ged/`` files documents straight into its GED. A file is taken once it has not
been modified for a few seconds, and when its name is not a temporary one. It is stored and
recorded (its SHA-256 in ``intake_item.source_key``) in one transaction, then moved to
``traites/``; refused, it goes to ``erreurs/`` beside a file giving the reason. Killed
between the commit and the move, the next pass recognises the file by its SHA-256 and only
moves it: no file is lost or taken twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.intake.models import IntakeItem
from core import audit
from core.identity import entity_by_code
from core.runtime import Runtime
from ged import service as ged
from ged.errors import RefusedFile

log = logging.getLogger(__name__)
DONE, FAILED, GED_FOLDER = "traites", "erreurs", "ged"
TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", "~")


@dataclass
class HotFolderReport:
    taken: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{len(self.taken)} fichier(s) pris, {len(self.refused)} refusé(s), "
                f"{len(self.waiting)} en cours d'écriture.")


def _is_candidate(path: Path) -> bool:
    name = path.name
    return path.is_file() and not name.startswith(".") and not name.endswith(TEMPORARY_SUFFIXES)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _move(path: Path, folder: Path) -> Path:
    """Move the file into ``folder``, never over another file of the same name."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}-{n}{path.suffix}"
        n += 1
    os.replace(path, target)
    return target


def _refuse(path: Path, reason: str) -> None:
    target = _move(path, path.parent / FAILED)
    target.with_name(target.name + ".raison.txt").write_text(reason + "\n", encoding="utf-8")


def _store(session: Session, path: Path, entity_code: str, to_ged: bool, key: str) -> None:
    entity = entity_by_code(session, entity_code)
    if entity is None:
        raise RefusedFile(f"Dossier « {entity_code} » : aucune entité ne porte ce code.")
    with path.open("rb") as stream:
        document = ged.add_document(session, None, ged.Upload(path.name, stream), entity,
                                    doc_type="scan", extra={"source": "scanner"})
    item = IntakeItem(source="scanner", source_key=key, entity_id=entity.id,
                      status="classe" if to_ged else "en_attente", title=path.stem[:500],
                      document_ids=[document.id], details={"fichier": path.name})
    session.add(item)
    session.flush()
    audit.record(session, None, "intake.scan.recu", "intake_item", item.id, entity.id,
                 {"fichier": path.name, "document": document.id, "ged": to_ged},
                 actor_name="scanner")


def _take(runtime: Runtime, path: Path, entity_code: str, to_ged: bool,
          report: HotFolderReport) -> None:
    key = f"scanner:{entity_code}:{_sha256(path)}"
    try:
        with runtime.session() as session:
            known = session.scalars(select(IntakeItem.id).where(IntakeItem.source_key == key))
            if known.first() is None:
                _store(session, path, entity_code, to_ged, key)
    except RefusedFile as exc:
        _refuse(path, str(exc))
        report.refused.append(path.name)
        return
    _move(path, path.parent / DONE)
    report.taken.append(path.name)


def _complete(path: Path, settle: float) -> bool:
    """Written in full: not empty, and untouched for ``settle`` seconds (stateless, so any
    process, a worker's job included, judges the same way)."""
    stat = path.stat()
    return stat.st_size > 0 and time.time() - stat.st_mtime >= settle


def scan(runtime: Runtime, root: Path, settle: float = 2.0) -> HotFolderReport:
    """One pass over the hot folder."""
    report = HotFolderReport()
    for entity_folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for folder, to_ged in ((entity_folder, False), (entity_folder / GED_FOLDER, True)):
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.iterdir() if _is_candidate(p)):
                if _complete(path, settle):
                    _take(runtime, path, entity_folder.name, to_ged, report)
                else:
                    report.waiting.append(path.name)
    return report
