"""The file store: content-addressed, written whole or not at all, each content once."""

from __future__ import annotations

import io
import os

import pytest

from ged.errors import FileTooLarge
from ged.storage import FileStore, sha256_of, verify


class BrokenStream(io.RawIOBase):
    """Gives some bytes, then fails as a dropped upload would."""

    def __init__(self) -> None:
        self.sent = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.sent:
            raise ConnectionResetError("upload interrupted")
        self.sent = True
        return b"%PDF-1.4 half of a file"


def test_file_is_stored_under_its_sha256_with_fan_out(tmp_path):
    stored = FileStore(tmp_path).put_bytes(b"bonjour")
    assert stored.path == tmp_path / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
    assert stored.path.read_bytes() == b"bonjour"
    assert sha256_of(stored.path) == stored.sha256


def test_same_bytes_are_stored_once(tmp_path):
    store = FileStore(tmp_path)
    first, second = store.put_bytes(b"meme contenu"), store.put_bytes(b"meme contenu")
    assert first == second
    assert list(store.addresses()) == [first.sha256]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_interrupted_write_leaves_no_file_and_no_temporary(tmp_path):
    store = FileStore(tmp_path)
    with pytest.raises(ConnectionResetError):
        store.put_stream(BrokenStream())
    assert list(store.addresses()) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_staging_past_the_size_limit_is_refused_without_reading_everything(tmp_path):
    store = FileStore(tmp_path)
    with pytest.raises(FileTooLarge, match="taille maximale de 1 Mo"):
        with store.staging(io.BytesIO(b"x" * (3 * 1024 * 1024)), max_size=1024 * 1024):
            pass
    assert list((tmp_path / "tmp").iterdir()) == []


def test_stored_file_is_read_only(tmp_path):
    stored = FileStore(tmp_path).put_bytes(b"archive")
    assert not os.access(stored.path, os.W_OK) or os.geteuid() == 0
    assert stored.path.stat().st_mode & 0o222 == 0


def test_verify_reports_missing_and_altered_files(tmp_path):
    store = FileStore(tmp_path)
    intact, altered, missing = (store.put_bytes(data).sha256 for data in (b"a", b"b", b"c"))
    path = store.path(altered)
    path.chmod(0o600)
    path.write_bytes(b"falsifie")
    store.path(missing).unlink()
    problems = {p.sha256: p.what for p in verify(store, [intact, altered, missing])}
    assert problems == {altered: "altéré", missing: "manquant"}
