"""Time ``atd onboard`` on a large generated inventory, on SQLite and on PostgreSQL.

Usage: ``python bench/onboard.py`` (PostgreSQL at ATD_BENCH_POSTGRES_URL, by default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres; a database is created and dropped).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from sqlalchemy import create_engine, text

ENTITIES, USERS, DEMARCHES = 300, 2000, 1000
ROLES = ("admin", "bureau_ordre", "chef_service", "agent", "responsable", "superviseur")
PG_ADMIN_URL = os.environ.get(
    "ATD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def inventory() -> dict:
    """A ministry of 20 tutelle entities and directions, each with 14 services below it."""
    entities = []
    for top in range(20):
        code = f"E{top:02d}"
        entities.append(
            {
                "code": code,
                "nom": f"Entité {top}",
                "type": "tutelle" if top % 2 else "direction",
                "delais": {"normale": 30, "urgente": 8, "tres_urgente": 4},
            }
        )
        entities += [
            {
                "code": f"{code}-S{s:02d}",
                "nom": f"Service {s} de l'entité {top}",
                "type": "service",
                "parent": code,
            }
            for s in range(14)
        ]
    entities = entities[: ENTITIES - 1]  # the ministry is the 300th
    codes = [e["code"] for e in entities]
    users = [
        {
            "login": f"agent{n:04d}",
            "nom": f"Agent {n}",
            "email": f"agent{n:04d}@energie.gouv.tg",
            "entite": codes[n % len(codes)],
            "roles": [ROLES[n % len(ROLES)], "agent"],
        }
        for n in range(USERS)
    ]
    demarches = [
        {
            "code": f"DEM-{n:04d}",
            "titre": f"Démarche numéro {n}",
            "entite": codes[n % len(codes)],
            "public": ["citoyens", "entreprises"],
            "description": "Une démarche générée pour la mesure. " * 5,
            "pieces": ["Copie de la carte d'identité", "Plan de situation", "Quittance"],
            "etapes": ["Dépôt", "Instruction", "Décision"],
            "cout": {"montant": 1000 * (n % 50), "devise": "XOF"},
            "delai_jours": 15,
            "en_ligne": n % 3 == 0,
        }
        for n in range(DEMARCHES)
    ]
    return {
        "ministere": {"code": "MBENCH", "nom": "Ministère de la mesure"},
        "entites": entities,
        "utilisateurs": users,
        "demarches": demarches,
        "plan": {"debut": "2025-11-05"},
    }


def atd(url: str, *args: str, cwd: Path) -> float:
    """Run one ``atd`` command on the database; return its wall-clock seconds."""
    env = {
        **os.environ,
        "ATD_DATABASE_URL": url,
        "ATD_INSTANCE_DIR": str(cwd / "instance"),
        "ATD_REDIS_URL": "",
    }
    started = time.perf_counter()
    result = subprocess.run(["atd", *args], cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"atd {' '.join(args)} a échoué :\n{result.stdout}\n{result.stderr}")
    return elapsed


@contextmanager
def sqlite_database(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'bench.db'}"


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"atd_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="atd-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "inventaire.yaml"
        path.write_text(
            yaml.safe_dump(inventory(), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        size = path.stat().st_size / 1e6
        print(
            f"Inventaire : {ENTITIES} entités, {USERS} utilisateurs, {DEMARCHES} démarches "
            f"({size:.1f} Mo)"
        )
        print(f"{'base':<12}{'1er passage':>14}{'2e passage':>14}")
        for label, database in (
            ("SQLite", sqlite_database(folder)),
            ("PostgreSQL", postgres_database()),
        ):
            with database as url:
                atd(url, "db", "upgrade", cwd=folder)
                first = atd(
                    url,
                    "onboard",
                    str(path),
                    "--passwords",
                    str(folder / f"{label}.pw"),
                    cwd=folder,
                )
                second = atd(url, "onboard", str(path), cwd=folder)
            print(f"{label:<12}{first:>12.1f} s{second:>12.1f} s")


if __name__ == "__main__":
    main()
