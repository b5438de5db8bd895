"""The content-addressed file store: every file under ``ATD_STORAGE_DIR`` by its SHA-256.

``ab/cd/abcdef…`` fan-out keeps directories small. A file is written to a temporary file in the
store, fsynced, then renamed into place, so a crash never leaves half a file under a real name;
the same bytes are stored once.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ged.errors import FileTooLarge

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Staged:
    sha256: str
    size: int
    path: Path


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    # The rename is only durable once the directory entry itself reaches the disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileStore:
    """Files addressed by their SHA-256 under one root directory."""

    def __init__(self, root: Path) -> None:
        # Absolute now: a relative ATD_STORAGE_DIR means the working directory, whereas Flask
        # would read a relative path from the application's package folder.
        self.root = Path(root).absolute()

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    @contextmanager
    def staging(self, stream: IO[bytes], max_size: int | None = None) -> Iterator[Staged]:
        """Copy the stream to a fsynced temporary file of the store, removed unless kept.

        Raises:
            FileTooLarge: the stream holds more than ``max_size`` bytes (reading stops there).
        """
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="in-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        mb = max_size // (1024 * 1024)
                        raise FileTooLarge(f"Le fichier dépasse la taille maximale de {mb} Mo.")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            yield Staged(digest.hexdigest(), size, tmp)
        finally:
            tmp.unlink(missing_ok=True)

    def keep(self, staged: Staged) -> Stored:
        """Move a staged file to its address (or drop it when those bytes are already stored)."""
        final = self.path(staged.sha256)
        if not (final.is_file() and final.stat().st_size == staged.size):
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(staged.path, 0o440)
            os.replace(staged.path, final)
            _fsync_dir(final.parent)
        return Stored(staged.sha256, staged.size, final)

    def put_stream(self, stream: IO[bytes]) -> Stored:
        """Store what the stream holds; return its address (the bytes may already be there)."""
        with self.staging(stream) as staged:
            return self.keep(staged)

    def put_file(self, path: Path) -> Stored:
        with Path(path).open("rb") as fh:
            return self.put_stream(fh)

    def put_bytes(self, data: bytes) -> Stored:
        return self.put_stream(io.BytesIO(data))

    def check(self, sha256: str) -> str | None:
        """None when the file is there with its content intact, else what is wrong (French)."""
        path = self.path(sha256)
        if not path.is_file():
            return "manquant"
        if sha256_of(path) != sha256:
            return "altéré"
        return None

    def addresses(self) -> Iterator[str]:
        """Every address present in the store (temporary files excluded)."""
        for path in self.root.glob("??/??/*"):
            if path.is_file() and len(path.name) == 64:
                yield path.name


@dataclass(frozen=True)
class Problem:
    sha256: str
    what: str


def verify(store: FileStore, addresses: Iterable[str]) -> Iterator[Problem]:
    """Re-hash every address given; yield each one that is missing or altered."""
    for sha in sorted(set(addresses)):
        what = store.check(sha)
        if what is not None:
            yield Problem(sha, what)
