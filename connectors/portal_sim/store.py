"""The simulator's state in its own SQLite file: démarches, dossiers with their pièces, counters.

Kept apart from the toolkit's database on purpose: the portal is another system.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS demarche (
    code TEXT PRIMARY KEY, version INTEGER NOT NULL, content_hash TEXT NOT NULL,
    body TEXT NOT NULL, first_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
-- Every write that changed a démarche: the proof that each version was published once.
CREATE TABLE IF NOT EXISTS demarche_write (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL, version INTEGER NOT NULL,
    content_hash TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dossier (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, number TEXT NOT NULL UNIQUE,
    demarche TEXT NOT NULL, demarche_version INTEGER NOT NULL, state TEXT NOT NULL,
    applicant TEXT NOT NULL, fields TEXT NOT NULL, deposited_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, decision TEXT
);
CREATE TABLE IF NOT EXISTS piece (
    dossier_id TEXT NOT NULL, n INTEGER NOT NULL, name TEXT NOT NULL, media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL, size INTEGER NOT NULL, content BLOB NOT NULL,
    PRIMARY KEY (dossier_id, n)
);
CREATE TABLE IF NOT EXISTS request_log (
    id INTEGER PRIMARY KEY, method TEXT NOT NULL, route TEXT NOT NULL, status INTEGER NOT NULL,
    at TEXT NOT NULL
);
"""
FINAL_STATES = ("accepte", "refuse", "sans_suite")
STATES = ("en_construction", "en_instruction", *FINAL_STATES)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def content_hash(body: dict[str, Any]) -> str:
    blob = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class StoreError(Exception):
    """A request the portal refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Piece:
    name: str
    media_type: str
    content: bytes


class Store:
    """One SQLite connection shared by the server's threads, one writer at a time."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # A simulator: losing the last writes in a power cut is fine, waiting on fsync is not.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        # Reentrant: a read that serialises a dossier runs inside a write's lock too.
        self._lock = threading.RLock()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    # Démarches ------------------------------------------------------------------------------

    def put_demarche(self, code: str, body: dict[str, Any]) -> tuple[int, str]:
        """Upsert by code, idempotent: (201 créée | 200 mise à jour | 200 inchangée, statut).

        Raises:
            StoreError: 409 for an older version, or for the same version with other content.
        """
        version, digest, at = body["version"], content_hash(body), now_iso()
        with self._tx() as db:
            row = db.execute("SELECT version, content_hash FROM demarche WHERE code = ?",
                             (code,)).fetchone()
            if row is not None and row["version"] == version and row["content_hash"] == digest:
                return 200, "inchangee"
            if row is not None and row["version"] >= version:
                raise StoreError(
                    f"version {version} refusée : le portail a déjà la version {row['version']}"
                    + (" avec un autre contenu" if row["version"] == version else ""), 409)
            blob = json.dumps(body, ensure_ascii=False)
            if row is None:
                db.execute("INSERT INTO demarche VALUES (?, ?, ?, ?, ?, ?)",
                           (code, version, digest, blob, at, at))
            else:
                db.execute("UPDATE demarche SET version = ?, content_hash = ?, body = ?, "
                           "updated_at = ? WHERE code = ?", (version, digest, blob, at, code))
            db.execute("INSERT INTO demarche_write (code, version, content_hash, at) "
                       "VALUES (?, ?, ?, ?)", (code, version, digest, at))
        return (201, "creee") if row is None else (200, "mise_a_jour")

    def get_demarche(self, code: str) -> dict[str, Any] | None:
        rows = self._read("SELECT body FROM demarche WHERE code = ?", (code,))
        return json.loads(rows[0]["body"]) if rows else None

    def demarches(self) -> list[dict[str, Any]]:
        rows = self._read("SELECT body FROM demarche ORDER BY code")
        return [json.loads(row["body"]) for row in rows]

    def writes(self) -> list[tuple[str, int]]:
        """Every effective write, as (code, version), oldest first."""
        rows = self._read("SELECT code, version FROM demarche_write ORDER BY id")
        return [(row["code"], row["version"]) for row in rows]

    # Dossiers -------------------------------------------------------------------------------

    def _next_seq(self, db: sqlite3.Connection) -> int:
        row = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM dossier").fetchone()
        return int(row["n"])

    def submit_dossier(self, code: str, applicant: dict[str, str], fields: dict[str, Any],
                       pieces: list[Piece]) -> dict[str, Any]:
        """A citizen's submission: a new dossier ``en_construction`` with its pièces."""
        demarche = self.get_demarche(code)
        if demarche is None:
            raise StoreError(f"démarche inconnue : {code}", 404)
        if not applicant.get("nom", "").strip():
            raise StoreError("le nom du demandeur est obligatoire")
        at = now_iso()
        with self._tx() as db:
            seq = self._next_seq(db)
            dossier_id = f"D{seq:08d}"
            number = f"PSP-{at[:4]}-{seq:06d}"
            db.execute(
                "INSERT INTO dossier VALUES (?, ?, ?, ?, ?, 'en_construction', ?, ?, ?, ?, NULL)",
                (dossier_id, seq, number, code, demarche["version"],
                 json.dumps(applicant, ensure_ascii=False), json.dumps(fields, ensure_ascii=False),
                 at, at))
            for n, piece in enumerate(pieces, start=1):
                db.execute("INSERT INTO piece VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (dossier_id, n, piece.name, piece.media_type,
                            hashlib.sha256(piece.content).hexdigest(), len(piece.content),
                            piece.content))
        dossier = self.dossier(dossier_id)
        assert dossier is not None
        return dossier

    def _read(self, query: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:  # never in the middle of another thread's write transaction
            return self._db.execute(query, args).fetchall()

    def _dossier_json(self, row: sqlite3.Row) -> dict[str, Any]:
        pieces = self._read(
            "SELECT n, name, media_type, sha256, size FROM piece WHERE dossier_id = ? ORDER BY n",
            (row["id"],))
        return {
            "id": row["id"],
            "numero": row["number"],
            "demarche": row["demarche"],
            "demarche_version": row["demarche_version"],
            "etat": row["state"],
            "demandeur": json.loads(row["applicant"]),
            "champs": json.loads(row["fields"]),
            "pieces": [
                {"numero": p["n"], "nom": p["name"], "type": p["media_type"],
                 "sha256": p["sha256"], "taille": p["size"],
                 "fichier": f"/api/dossiers/{row['id']}/pieces/{p['n']}"}
                for p in pieces
            ],
            "depose_le": row["deposited_at"],
            "modifie_le": row["updated_at"],
            "decision": json.loads(row["decision"]) if row["decision"] else None,
            "curseur": str(row["seq"]),
        }

    def dossier(self, dossier_id: str) -> dict[str, Any] | None:
        with self._lock:
            rows = self._read("SELECT * FROM dossier WHERE id = ?", (dossier_id,))
            return self._dossier_json(rows[0]) if rows else None

    def dossiers(self, updated_since: str | None, cursor: int, limit: int
                 ) -> tuple[list[dict[str, Any]], int, bool]:
        """Dossiers changed after ``cursor`` (their ``seq``), oldest change first."""
        query = "SELECT * FROM dossier WHERE seq > ?"
        args: list[Any] = [cursor]
        if updated_since:
            query += " AND updated_at >= ?"
            args.append(updated_since)
        with self._lock:
            rows = self._read(query + " ORDER BY seq LIMIT ?", (*args, limit + 1))
            more = len(rows) > limit
            rows = rows[:limit]
            last = rows[-1]["seq"] if rows else cursor
            return [self._dossier_json(row) for row in rows], last, more

    def piece(self, dossier_id: str, n: int) -> tuple[str, str, bytes] | None:
        rows = self._read(
            "SELECT name, media_type, content FROM piece WHERE dossier_id = ? AND n = ?",
            (dossier_id, n))
        return (rows[0]["name"], rows[0]["media_type"], bytes(rows[0]["content"])) if rows else None

    def set_state(self, dossier_id: str, state: str, reason: str, reference: str
                  ) -> tuple[int, dict[str, Any]]:
        """The ministry's decision (or ``en_instruction``); the same one again changes nothing.

        A change gives the dossier a new ``seq``, so a pull sees it as updated.
        """
        if state not in STATES or state == "en_construction":
            raise StoreError(f"état inconnu ou interdit : {state}")
        if state == "refuse" and not reason.strip():
            raise StoreError("un refus doit être motivé")
        with self._tx() as db:
            row = db.execute("SELECT state, decision FROM dossier WHERE id = ?",
                             (dossier_id,)).fetchone()
            if row is None:
                raise StoreError(f"dossier inconnu : {dossier_id}", 404)
            current = row["state"]
            if current == state:
                return 200, self._dossier_json_in(db, dossier_id)
            backwards = state == "en_instruction" and current != "en_construction"
            if current in FINAL_STATES or backwards:
                raise StoreError(f"le dossier est déjà « {current} »", 409)
            decision = {"etat": state, "motif": reason, "reference": reference, "le": now_iso()}
            db.execute("UPDATE dossier SET state = ?, decision = ?, updated_at = ?, seq = ? "
                       "WHERE id = ?", (state, json.dumps(decision, ensure_ascii=False),
                                        decision["le"], self._next_seq(db), dossier_id))
        dossier = self.dossier(dossier_id)
        assert dossier is not None
        return 200, dossier

    def _dossier_json_in(self, db: sqlite3.Connection, dossier_id: str) -> dict[str, Any]:
        row = db.execute("SELECT * FROM dossier WHERE id = ?", (dossier_id,)).fetchone()
        return self._dossier_json(row)

    # Counters -------------------------------------------------------------------------------

    def log_request(self, method: str, route: str, status: int) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO request_log (method, route, status, at) VALUES (?, ?, ?, ?)",
                       (method, route, status, now_iso()))

    def request_counts(self) -> dict[str, int]:
        """Requests per ``METHOD route status``, e.g. ``PUT /api/demarches/<code> 500``."""
        rows = self._read(
            "SELECT method, route, status, COUNT(*) AS n FROM request_log "
            "GROUP BY method, route, status")
        return {f"{r['method']} {r['route']} {r['status']}": r["n"] for r in rows}
