"""Time the supervision room on 1,000,000 courriers and 5,000,000 events, on PostgreSQL.

Usage: ``python bench/supervision.py [--courriers N]`` (PostgreSQL at ATD_BENCH_POSTGRES_URL,
by default postgresql+psycopg://postgres@127.0.0.1:5432/postgres; a database of its own is
created, filled with generate_series, and dropped at the end).

Measures: the fold of the whole event log into the daily counts (once, after an upgrade);
every metric for every entity (aim 100 ms); the room's refresh callback through Dash and
Flask (aim 200 ms at p95); the time from a registration's commit to the room showing it.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.app import create_app  # noqa: E402
from core.db import upgrade  # noqa: E402
from core.identity import Entity, RoleAssignment, User  # noqa: E402
from core.runtime import Runtime, build_runtime  # noqa: E402
from core.settings import load_settings  # noqa: E402
from courrier import service  # noqa: E402
from courrier.correspondents import CorrespondentInput  # noqa: E402
from supervision import metrics, summary  # noqa: E402
from supervision.periods import last_days, today  # noqa: E402
from supervision.scope import scope_for  # noqa: E402
from tests.dashboards.conftest import ROOM_OUTPUTS, call_callback, room_inputs  # noqa: E402


def _bench_module(name: str) -> Any:
    """A sibling script (``bench/`` is no package, and its courrier.py would shadow ours)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).with_name(
        f"{name}.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


postgres_database = _bench_module("onboard").postgres_database

ENTITIES = ("CEET", "AT2ER", "ARSE", "DGE", "DGMG")
EVENTS_PER_COURRIER = 5
PASSWORD = "mot-de-passe-du-banc"
RUNS = 30

# One row per courrier: its entity, dates and fate, drawn from two pseudo-random numbers.
# About 3 % are open today (most of the recent ones, a few old forgotten ones); the rest were
# answered, filed or cancelled, and most of those closed.
FACTS = """
CREATE UNLOGGED TABLE bench_fact AS
WITH base AS (
  SELECT g, e.entity_id, e.clerk_id, e.service_id, e.code,
         now() - interval '730 days' + (g::float8 / :n) * interval '730 days' AS at,
         ((g::bigint * 2654435761) % 1000) / 1000.0 AS u,
         ((g::bigint * 40503) % 997) / 997.0 AS v
  FROM generate_series(1, :n) AS g
  JOIN bench_entity e ON e.idx = g % 5
), aged AS (
  SELECT *, extract(epoch FROM now() - at) / 86400 AS age FROM base
), fated AS (
  SELECT *,
    u < CASE WHEN age < 2 THEN 0.9 WHEN age < 7 THEN 0.5 WHEN age < 15 THEN 0.25
             WHEN age < 30 THEN 0.1 ELSE 0.01 END AS open
  FROM aged
)
SELECT g, entity_id, clerk_id, service_id, code, at, u, v,
  CASE WHEN open THEN CASE WHEN v < 0.25 THEN 'enregistre' WHEN v < 0.55 THEN 'impute'
                           WHEN v < 0.9 THEN 'en_traitement' ELSE 'en_attente_avis' END
       ELSE CASE WHEN v < 0.02 THEN 'annule' WHEN v < 0.07 THEN 'repondu'
                 WHEN v < 0.10 THEN 'traite_sans_suite' ELSE 'clos' END END AS status,
  least(at + (u * 48) * interval '1 hour', now()) AS routed_at,
  least(at + (1 + v * 40) * interval '1 day', now() - interval '2 minutes') AS treated_at,
  least(at + (2 + v * 40) * interval '1 day', now() - interval '1 minute') AS closed_at
FROM fated
"""
COURRIERS = """
INSERT INTO courrier (id, entity_id, direction, chrono, year, seq, registered_at,
  registered_by_id, sender_reference, subject, summary, channel, priority, confidentiality,
  due_on, status, holder_entity_id, overdue, closed_at, cancel_reason, updated_at)
SELECT g, entity_id, 'arrivee', code || '-A-' || extract(year FROM at) || '-' || g,
  extract(year FROM at)::int, g, at, clerk_id, '', 'Courrier ' || g, '',
  (ARRAY['physique','physique','physique','physique','email','email','email','portail',
         'portail','fax','main_propre'])[1 + (g % 11)],
  'normale', 'normal', (at + interval '30 days')::date, status,
  CASE WHEN status IN ('enregistre', 'annule') THEN NULL ELSE service_id END, false,
  CASE WHEN status = 'clos' THEN closed_at END, '', at
FROM bench_fact
"""
# Five events per courrier: its registration, then its routing, taking in charge, treatment
# and closing when it went that far (an attachment otherwise, so that the log is 5 × N).
EVENTS = """
INSERT INTO event (id, seq, created_at, actor_id, actor, action, object_type, object_id,
                   entity_id, data, prev_hash, hash)
SELECT s, s, x.at, f.clerk_id, f.code, x.action, 'courrier', f.g::text, f.entity_id,
       json_build_object('chrono', f.code || '-A-' || f.g, 'de', x.de, 'vers', x.vers),
       repeat('0', 64), repeat('0', 64)
FROM bench_fact f
CROSS JOIN LATERAL (
  SELECT (f.g - 1) * 5 + k + 1 AS s, k,
    CASE
      WHEN k = 0 THEN f.at
      WHEN k = 1 AND routed THEN f.routed_at
      WHEN k = 2 AND routed AND f.status <> 'impute' THEN f.routed_at + interval '1 hour'
      WHEN k = 3 AND treated THEN f.treated_at
      WHEN k = 4 AND f.status = 'clos' THEN f.closed_at
      ELSE f.at + interval '1 minute' END AS at,
    CASE
      WHEN k = 0 THEN 'courrier.enregistrer'
      WHEN k = 1 AND routed THEN 'courrier.imputer'
      WHEN k = 2 AND routed AND f.status <> 'impute' THEN 'courrier.prendre_en_charge'
      WHEN k = 3 AND treated AND f.u < 0.8 THEN 'courrier.repondre'
      WHEN k = 3 AND treated THEN 'courrier.classer_sans_suite'
      WHEN k = 4 AND f.status = 'clos' THEN 'courrier.clore'
      WHEN k = 4 AND f.status = 'annule' THEN 'courrier.annuler'
      ELSE 'courrier.piece_jointe' END AS action,
    CASE WHEN k = 1 AND routed THEN 'enregistre' WHEN k = 2 AND routed THEN 'impute'
         WHEN k = 3 AND treated THEN 'en_traitement' END AS de,
    CASE WHEN k = 1 AND routed THEN 'impute' WHEN k = 2 AND routed THEN 'en_traitement'
         WHEN k = 3 AND treated AND f.u < 0.8 THEN 'repondu' WHEN k = 3 AND treated
         THEN 'traite_sans_suite' WHEN k = 4 AND f.status = 'clos' THEN 'clos'
         WHEN k = 4 AND f.status = 'annule' THEN 'annule' END AS vers
  FROM generate_series(0, 4) AS k,
  LATERAL (SELECT f.status NOT IN ('enregistre', 'annule') AS routed,
                  f.status IN ('repondu', 'traite_sans_suite', 'clos') AS treated) AS fate
) AS x
"""
# Each courrier's own history mirrors its events, as workflow.record writes both.
STEPS = """
INSERT INTO courrier_step (courrier_id, at, actor_id, actor, action, status_from, status_to,
                           note, data)
SELECT object_id::int, created_at, actor_id, actor, substr(action, 10), data->>'de',
       data->>'vers', '', '{}'
FROM event WHERE object_type = 'courrier'
"""
# Opinions: pending for the courriers waiting for one, given for one closed courrier in 20.
OPINIONS = """
INSERT INTO courrier_imputation (courrier_id, kind, entity_id, instruction, routed_by_id,
  routed_at, due_on, active, end_reason, answer, answered_at)
SELECT g, 'avis', service_id, 'Votre avis', clerk_id, routed_at + interval '1 day',
       (routed_at + interval '6 days')::date, status = 'en_attente_avis', '',
       CASE WHEN status = 'clos' THEN 'Avis favorable.' END,
       CASE WHEN status = 'clos' THEN routed_at + interval '3 days' END
FROM bench_fact WHERE status = 'en_attente_avis' OR (status = 'clos' AND g % 20 = 0)
"""


def build_ministry(runtime: Runtime) -> None:
    """The ministry, its five entities with two services each, a supervisor, mail offices."""
    hashed = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")

    def user(login: str, entity: Entity, role: str) -> User:
        person = User(login=login, name=login, email=f"{login}@bench.tg", entity_id=entity.id,
                      password_hash=hashed, must_change_password=False)
        person.roles = [RoleAssignment(entity_id=entity.id, role=role)]
        return person

    with runtime.session() as session:
        root = Entity(code="MBENCH", name="Ministère de la mesure", type="ministere", delays={})
        session.add(root)
        session.flush()
        session.add(user("suivi", root, "superviseur"))
        for code in ENTITIES:
            entity = Entity(code=code, name=f"Entité {code}", type="tutelle", parent_id=root.id,
                            delays={"normale": 30, "urgente": 8, "tres_urgente": 4})
            session.add(entity)
            session.flush()
            for n in (1, 2):
                session.add(Entity(code=f"{code}-S{n}", name=f"Service {n} de {code}",
                                   type="service", parent_id=entity.id, delays={}))
            session.add(user(f"bo.{code.lower()}", entity, "bureau_ordre"))


def fill(url: str, count: int) -> None:
    """Courriers, events and opinions by generate_series, then VACUUM ANALYZE."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("SET work_mem = '256MB'"))
        conn.execute(text("""
            CREATE UNLOGGED TABLE bench_entity AS
            SELECT (row_number() OVER (ORDER BY e.code) - 1)::int AS idx, e.id AS entity_id,
                   e.code, u.id AS clerk_id,
                   (SELECT s.id FROM entity s WHERE s.parent_id = e.id ORDER BY s.code
                    LIMIT 1) AS service_id
            FROM entity e JOIN user_account u ON u.login = 'bo.' || lower(e.code)
            WHERE e.type = 'tutelle'"""))
        for label, statement in (("faits", FACTS), ("courriers", COURRIERS),
                                 ("événements", EVENTS), ("historique", STEPS),
                                 ("avis", OPINIONS)):
            started = time.perf_counter()
            conn.execute(text(statement), {"n": count})
            print(f"  {label} : {time.perf_counter() - started:.1f} s", flush=True)
        last = count * EVENTS_PER_COURRIER
        conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :s, :h) "
                          "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq"),
                     {"s": last, "h": "0" * 64})
        conn.execute(text("SELECT setval(pg_get_serial_sequence('courrier', 'id'), :n)"),
                     {"n": count})
        conn.execute(text("SELECT setval(pg_get_serial_sequence('event', 'id'), :n)"),
                     {"n": last})
        conn.execute(text("DROP TABLE bench_fact"))
        conn.execute(text("DROP TABLE bench_entity"))
        started = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE"))
        print(f"  VACUUM ANALYZE : {time.perf_counter() - started:.1f} s", flush=True)
    engine.dispose()


def timings(action: Callable[[], Any], runs: int = RUNS) -> tuple[float, float]:
    """Median and 95th percentile of ``runs`` calls, in milliseconds (after one warm-up)."""
    action()
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return statistics.median(spent), spent[max(0, round(0.95 * runs) - 1)]


def all_metrics(runtime: Runtime, days: int) -> Callable[[], Any]:
    def run() -> Any:
        with runtime.session() as session:
            scope = scope_for(session, None)
            return metrics.compute(session, scope, last_days(days), today())

    return run


def logged_in_client(app: Any) -> Any:
    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    client.post("/connexion", data={"login": "suivi", "mot_de_passe": PASSWORD,
                                    "csrf_token": token.group(1)})
    assert client.get("/supervision/").status_code == 200
    return client


def refresh(client: Any) -> dict[str, Any]:
    response = call_callback(client, ROOM_OUTPUTS, room_inputs())
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def registered_on_card(answer: dict[str, Any], code: str) -> int:
    cards = answer["salle-cartes"]["children"]
    card = next(c for c in cards if c["props"]["id"] == f"carte-{code}")
    figure = card["props"]["children"][2]["props"]["children"][0]
    return int(figure["props"]["children"][0]["props"]["children"])


def registration_latency(runtime: Runtime, client: Any, runs: int = 10) -> list[float]:
    """Milliseconds from a registration's commit to a room refresh that counts it."""
    spent = []
    for n in range(runs):
        before = registered_on_card(refresh(client), "CEET")
        with runtime.session() as session:
            clerk = session.query(User).filter_by(login="bo.ceet").one()
            service.register(session, clerk, service.Registration(
                entity_code="CEET", subject=f"Mesure {n}", channel="email",
                sender=CorrespondentInput("Banc de mesure")))
        committed = time.perf_counter()
        while registered_on_card(refresh(client), "CEET") <= before:
            pass
        spent.append((time.perf_counter() - committed) * 1000)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courriers", type=int, default=1_000_000)
    count = parser.parse_args().courriers
    with postgres_database() as url, tempfile.TemporaryDirectory(prefix="atd-bench-") as tmp:
        upgrade(url)
        runtime = build_runtime(load_settings(env={}, overrides={
            "database_url": url, "instance_dir": tmp, "secret_key": "banc", "redis_url": ""}))
        build_ministry(runtime)
        print(f"Génération de {count:,} courriers et {count * EVENTS_PER_COURRIER:,} événements "
              "(5 entités, 2 ans) :", flush=True)
        fill(url, count)

        started = time.perf_counter()
        folded = summary.catch_up(runtime, limit=None)
        fold = time.perf_counter() - started
        with runtime.session() as session:
            rows = session.execute(text("SELECT count(*) FROM supervision_daily")).scalar()
        print(f"Rattrapage du journal : {folded:,} événements en {fold:.1f} s "
              f"({folded / fold:,.0f} par seconde), {rows:,} lignes de comptes journaliers")

        print(f"\n{'mesure':<52}{'médiane':>10}{'p95':>10}")
        for days in (30, 365, 730):
            median, p95 = timings(all_metrics(runtime, days))
            print(f"{f'tous les indicateurs, toutes les entités, {days} j':<52}"
                  f"{median:>8.1f} ms{p95:>7.1f} ms")
        client = logged_in_client(create_app(runtime=runtime))
        median, p95 = timings(lambda: refresh(client))
        print(f"{'rafraîchissement de la salle (callback Dash, 30 j)':<52}"
              f"{median:>8.1f} ms{p95:>7.1f} ms")
        latency = sorted(registration_latency(runtime, client))
        print(f"{'enregistrement -> salle (hors attente du tic de 5 s)':<52}"
              f"{statistics.median(latency):>8.1f} ms{latency[-1]:>7.1f} ms (max)")
        runtime.close()


if __name__ == "__main__":
    main()
