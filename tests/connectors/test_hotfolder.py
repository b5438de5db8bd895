"""The scanner hot folder takes each complete file exactly once, even after a crash."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.intake import hotfolder
from connectors.intake.models import IntakeItem
from connectors.schedule import schedule
from core.jobs import run_job
from core.runtime import activated
from ged.models import Document
from tests.factories import make_ministry

SAMPLES = Path(__file__).resolve().parents[1] / "ged" / "samples"


@pytest.fixture
def folder(tmp_path, db_session):
    make_ministry(db_session)
    db_session.flush()
    root = tmp_path / "scanner"
    (root / "CEET" / "ged").mkdir(parents=True)
    return root


def drop(folder: Path, name: str, sample: str = "lettre-propre.png", age: float = 10) -> Path:
    path = folder / name
    path.write_bytes((SAMPLES / sample).read_bytes())
    past = time.time() - age
    os.utime(path, (past, past))
    return path


def items(db_session) -> list[IntakeItem]:
    db_session.expire_all()
    return list(db_session.scalars(select(IntakeItem).order_by(IntakeItem.id)))


def test_complete_scan_enters_the_intake_queue_and_moves_to_traites(runtime, db_session,
                                                                     folder):
    drop(folder / "CEET", "scan-001.png")
    report = hotfolder.scan(runtime, folder)
    assert report.taken == ["scan-001.png"]
    [item] = items(db_session)
    assert (item.source, item.status, item.entity.code) == ("scanner", "en_attente", "CEET")
    document = db_session.get(Document, item.document_ids[0])
    assert document.entity.code == "CEET" and document.doc_type == "scan"
    assert (folder / "CEET" / "traites" / "scan-001.png").exists()
    assert not (folder / "CEET" / "scan-001.png").exists()


def test_file_in_the_ged_subfolder_is_filed_as_a_document(runtime, db_session, folder):
    drop(folder / "CEET" / "ged", "archive.pdf", sample="nee-numerique.pdf")
    hotfolder.scan(runtime, folder)
    [item] = items(db_session)
    assert item.status == "classe"
    assert (folder / "CEET" / "ged" / "traites" / "archive.pdf").exists()


def test_file_still_being_written_or_temporary_is_left_alone(runtime, db_session, folder):
    drop(folder / "CEET", "en-cours.png", age=0)
    drop(folder / "CEET", "scan.png.part")
    report = hotfolder.scan(runtime, folder, settle=5)
    assert report.taken == [] and report.waiting == ["en-cours.png"]
    assert items(db_session) == []


def test_refused_file_goes_to_erreurs_with_its_reason(runtime, db_session, folder):
    drop(folder / "CEET", "faux.pdf", sample="deguise.pdf")
    report = hotfolder.scan(runtime, folder)
    assert report.refused == ["faux.pdf"]
    reason = (folder / "CEET" / "erreurs" / "faux.pdf.raison.txt").read_text(encoding="utf-8")
    assert reason.strip()
    assert items(db_session) == []


def test_unknown_entity_folder_sends_its_files_to_erreurs(runtime, db_session, folder):
    (folder / "INCONNUE").mkdir()
    drop(folder / "INCONNUE", "scan.png")
    hotfolder.scan(runtime, folder)
    reason = (folder / "INCONNUE" / "erreurs" / "scan.png.raison.txt").read_text("utf-8")
    assert "INCONNUE" in reason


def test_crash_between_commit_and_move_does_not_take_the_file_twice(runtime, db_session,
                                                                    folder, monkeypatch):
    """GIVEN a pass killed after its commit, before moving the file WHEN the next pass runs
    THEN the file is recognised by its SHA-256 and only moved."""
    path = drop(folder / "CEET", "scan-002.png")

    def killed(*_args):
        raise KeyboardInterrupt  # the process dies here

    monkeypatch.setattr(hotfolder, "_move", killed)
    with pytest.raises(KeyboardInterrupt):
        hotfolder.scan(runtime, folder)
    monkeypatch.undo()
    assert path.exists() and len(items(db_session)) == 1
    report = hotfolder.scan(runtime, folder)
    assert report.taken == ["scan-002.png"]
    assert len(items(db_session)) == 1
    assert (folder / "CEET" / "traites" / "scan-002.png").exists()


def test_two_files_of_the_same_name_never_overwrite_each_other_in_traites(runtime, db_session,
                                                                          folder):
    drop(folder / "CEET", "scan.png")
    hotfolder.scan(runtime, folder)
    drop(folder / "CEET", "scan.png", sample="lettre-bruitee.jpg")
    hotfolder.scan(runtime, folder)
    assert sorted(p.name for p in (folder / "CEET" / "traites").iterdir()) == [
        "scan-1.png", "scan.png"]
    assert len(items(db_session)) == 2


def test_worker_job_takes_the_files_of_the_configured_folder_and_plans_its_next_pass(
        runtime, db_session, folder):
    runtime.settings = replace(runtime.settings, intake_dir=folder)
    drop(folder / "CEET", "scan.png")
    schedule(runtime)
    [(path, *_rest)] = runtime.queue.submitted
    runtime.queue.submitted.clear()
    with activated(runtime):
        run_job(path, (), {})
    assert len(items(db_session)) == 1
    submitted = [job[0] for job in runtime.queue.submitted]
    # The scan's reading by the GED, and the next pass of the watch.
    assert submitted == ["ged.jobs.extract_version", path]
