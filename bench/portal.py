"""Publish 1,000 démarches to the portal simulator while it refuses connections and fails.

Usage: ``python bench/portal.py`` (PostgreSQL as for bench/onboard.py). For each database:
migrate, onboard the generated ministry (1,000 démarches), start ``atd portal-sim`` in a
subprocess, tell it to refuse connections for a while and to answer 500 to a share of the
requests (some after storing the démarche), run ``atd portal publish --all --wait``, then
check on the simulator that every démarche was written exactly once per content version;
run ``atd portal publish --all`` again and check that it sent nothing; change ten démarches
in the inventory and check that exactly those ten go out as version 2.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests
import yaml

sys.path.append(str(Path(__file__).resolve().parent))
from onboard import DEMARCHES, inventory, postgres_database, sqlite_database  # noqa: E402

TOKEN = "jeton-bench"
OUTAGE_SECONDS = 10.0
ERROR_RATE = 0.2  # answered 500 before doing anything
ERROR_AFTER_RATE = 0.05  # stored, then answered 500: the retry must be harmless
CHANGED = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Simulator:
    """``atd portal-sim`` in a subprocess, and its control endpoints."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            ["atd", "portal-sim", "--port", str(self.port), "--db", str(folder / "sim.db"),
             "--token", TOKEN], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        self.process.stdout.readline()  # "Simulateur du portail prêt…"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {TOKEN}"

    def faults(self, **values: float) -> None:
        self.http.post(f"{self.url}/_simulateur/pannes", json=values, timeout=10)

    def state(self) -> dict[str, Any]:
        return dict(self.http.get(f"{self.url}/_simulateur/etat", timeout=30).json())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def atd(url: str, sim: Simulator, *args: str, cwd: Path, check: bool = True
        ) -> tuple[float, str]:
    env = {
        **os.environ, "ATD_DATABASE_URL": url, "ATD_INSTANCE_DIR": str(cwd / "instance"),
        "ATD_REDIS_URL": "", "ATD_PORTAL_URL": sim.url, "ATD_PORTAL_TOKEN": TOKEN,
        "ATD_PORTAL_TIMEOUT_SECONDS": "2", "ATD_PORTAL_BACKOFF_SECONDS": "0.5",
        "ATD_PORTAL_MAX_ATTEMPTS": "30",
    }
    started = time.perf_counter()
    result = subprocess.run(["atd", *args], cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        sys.exit(f"atd {' '.join(args)} a échoué :\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout + result.stderr


def puts(state: dict[str, Any]) -> Counter[str]:
    """PUT requests on démarches by answer status."""
    counts: Counter[str] = Counter()
    for key, n in state["requetes"].items():
        method, route, status = key.split(" ")
        if method == "PUT" and route == "/api/demarches/<code>":
            counts[status] += n
    return counts


def write_inventory(path: Path, changed: int = 0) -> None:
    data = inventory()
    for row in data["demarches"][:changed]:
        row["titre"] += " (mise à jour)"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def run(label: str, url: str, folder: Path) -> None:
    path = folder / "inventaire.yaml"
    write_inventory(path)
    sim = Simulator(folder)
    try:
        atd(url, sim, "db", "upgrade", cwd=folder)
        atd(url, sim, "onboard", str(path), "--passwords", str(folder / "pw.txt"), cwd=folder)
        sim.faults(refuse_seconds=OUTAGE_SECONDS, error_rate=ERROR_RATE,
                   error_after_rate=ERROR_AFTER_RATE)
        time.sleep(0.3)  # the port is closed now
        first, _out = atd(url, sim, "portal", "publish", "--all", "--wait", cwd=folder)
        state = sim.state()
        writes = Counter(tuple(w) for w in state["ecritures"])
        codes = {code for code, _version in writes}
        sim.faults(error_rate=0, error_after_rate=0)
        before = sum(puts(sim.state()).values())
        second, out = atd(url, sim, "portal", "publish", "--all", cwd=folder)
        after = sum(puts(sim.state()).values())
        write_inventory(path, CHANGED)
        atd(url, sim, "onboard", str(path), cwd=folder)
        third, _out = atd(url, sim, "portal", "publish", "--wait", cwd=folder)
        versions = Counter(version for _code, version in
                           (tuple(w) for w in sim.state()["ecritures"]))
    finally:
        sim.stop()
    statuses = puts(state)
    print(f"\n{label}")
    print(f"  publication sous pannes : {first:.1f} s ({OUTAGE_SECONDS:.0f} s de refus de "
          f"connexion, {ERROR_RATE:.0%} de 500, {ERROR_AFTER_RATE:.0%} de 500 après écriture)")
    print(f"  requêtes PUT : {sum(statuses.values())} ({dict(sorted(statuses.items()))})")
    print(f"  démarches écrites : {len(codes)}/{DEMARCHES}, écritures en double : "
          f"{sum(n - 1 for n in writes.values())}")
    print(f"  second « publish --all » : {second:.1f} s, {after - before} requête(s) — "
          f"{out.strip().splitlines()[0]}")
    print(f"  {CHANGED} démarches modifiées : {third:.1f} s, écritures en version 2 : "
          f"{versions[2]}")
    ok = (len(codes) == DEMARCHES and all(n == 1 for n in writes.values())
          and after == before and versions[2] == CHANGED and versions[1] == DEMARCHES)
    print("  => " + ("exactement une écriture par version, rien de renvoyé" if ok else "ÉCHEC"))
    if not ok:
        sys.exit(1)


def main() -> None:
    for label, database in (("SQLite", sqlite_database), ("PostgreSQL", postgres_database)):
        with tempfile.TemporaryDirectory(prefix="atd-bench-portal-") as tmp:
            folder = Path(tmp)
            context = database(folder) if database is sqlite_database else database()
            with context as url:
                run(label, url, folder)


if __name__ == "__main__":
    main()
