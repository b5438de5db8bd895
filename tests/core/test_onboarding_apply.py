"""Applying an inventory: create, update in place, report, prune; and ``atd onboard`` around it."""

from __future__ import annotations

import stat
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.audit import AuditHead, Event
from core.auth import check_password
from core.identity import Demarche, Entity, RoleAssignment, User, entity_by_code, user_by_login
from core.onboarding import InventoryError, Report, apply_inventory, load_inventory
from supervision.plan.models import Plan, PlanTask
from supervision.plan.service import mark_done
from tests.conftest import atd_runner
from tests.statements import recorded_statements

INVENTORIES = Path(__file__).parent / "inventories"
TOUCHED = (Entity, User, RoleAssignment, Demarche, Event, AuditHead, Plan, PlanTask)
_files = count(1)


@pytest.fixture
def document() -> dict[str, Any]:
    """The valid inventory as data, for each test to change before writing it out."""
    return yaml.safe_load((INVENTORIES / "valid.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / f"inventaire-{next(_files)}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def onboard(
    session: Session, tmp_path: Path, document: dict[str, Any], prune: bool = False
) -> Report:
    return apply_inventory(session, load_inventory(write(tmp_path, document)), prune=prune)


def events(session: Session, action: str | None = None) -> int:
    query = select(func.count()).select_from(Event)
    return session.scalar(query.where(Event.action == action) if action else query) or 0


def find(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    return next(item for item in items if item[key] == value)


def another_ministry(document: dict[str, Any]) -> dict[str, Any]:
    """The same inventory, for a ministry coded AUTRE."""
    other = yaml.safe_load(yaml.safe_dump(document))
    other["ministere"]["code"] = "AUTRE"
    find(other["utilisateurs"], "login", "t.admin")["entite"] = "AUTRE"
    return other


# The service, in a rolled-back transaction on both databases ---------------------------------


def test_first_run_creates_the_tree_users_demarches_and_plan(db_session, tmp_path, document):
    report = onboard(db_session, tmp_path, document)
    assert report.entities.created == ["MTEST", "T-TUT", "T-DIR", "T-SERV"]
    assert len(report.users.created) == 3 and len(report.demarches.created) == 2
    root = entity_by_code(db_session, "MTEST")
    assert (root.type, root.parent_id) == ("ministere", None)
    service = entity_by_code(db_session, "T-SERV")
    assert service.parent_id == entity_by_code(db_session, "T-TUT").id
    assert entity_by_code(db_session, "T-TUT").delays == {
        "normale": 30,
        "urgente": 8,
        "tres_urgente": 4,
    }
    bo = user_by_login(db_session, "t.bo")
    assert sorted((a.role, a.entity_id) for a in bo.roles) == [
        ("bureau_ordre", bo.entity_id),
        ("chef_service", bo.entity_id),
    ]
    demarche = db_session.scalars(select(Demarche).where(Demarche.code == "T-DEM-1")).one()
    assert (demarche.version, demarche.cost_amount, demarche.steps) == (
        1,
        25000,
        ["Dépôt", "Étude", "Décision"],
    )
    assert db_session.scalars(select(Plan)).one().start.isoformat() == "2025-11-05"
    assert report.plan == "créé, début le 05/11/2025 (31 tâches)."
    assert report.lines()[:3] == [
        "Entités : 4 créées, 0 modifiée, 0 désactivée, 0 inchangée.",
        "Utilisateurs : 3 créés, 0 modifié, 0 désactivé, 0 inchangé.",
        "Démarches : 2 créées, 0 modifiée, 0 désactivée, 0 inchangée.",
    ]


def test_new_users_get_a_one_time_password_they_must_change(db_session, tmp_path, document):
    report = onboard(db_session, tmp_path, document)
    assert [login for login, _ in report.passwords] == ["t.admin", "t.bo", "t.agent"]
    for login, password in report.passwords:
        user = user_by_login(db_session, login)
        assert user.must_change_password
        assert check_password(user, password)


def test_every_change_writes_one_event_and_the_chain_stays_intact(db_session, tmp_path, document):
    onboard(db_session, tmp_path, document)
    assert events(db_session, "entite.creee") == 4
    assert events(db_session, "utilisateur.cree") == 3
    assert events(db_session, "demarche.creee") == 2
    assert events(db_session, "plan.cree") == 1
    created = db_session.scalars(select(Event).where(Event.action == "utilisateur.cree")).first()
    assert created.actor == "cli" and "password" not in str(created.data)
    assert audit.verify(db_session).ok


def test_second_run_changes_nothing_and_says_so(db_session, tmp_path, document):
    onboard(db_session, tmp_path, document)
    before = events(db_session)
    report = onboard(db_session, tmp_path, document)
    assert not report.changed
    assert report.passwords == []
    assert report.lines() == [
        "Aucun changement.",
        "Déjà à jour : 4 entités, 3 utilisateurs, 2 démarches.",
    ]
    assert events(db_session) == before


def test_changed_file_updates_rows_in_place(db_session, tmp_path, document):
    onboard(db_session, tmp_path, document)
    agent = user_by_login(db_session, "t.agent")
    agent_id, password_hash = agent.id, agent.password_hash
    find(document["entites"], "code", "T-DIR")["nom"] = "Direction renommée"
    find(document["utilisateurs"], "login", "t.agent").update(
        entite="T-DIR", roles=["agent", "responsable"]
    )
    find(document["demarches"], "code", "T-DEM-1")["cout"]["montant"] = 30000

    report = onboard(db_session, tmp_path, document)

    assert report.entities.updated == {"T-DIR": ["nom"]}
    assert report.users.updated == {"t.agent": ["entite", "roles"]}
    assert report.demarches.updated == {"T-DEM-1": ["cout.montant"]}
    assert report.users.created == [] and report.passwords == []
    agent = user_by_login(db_session, "t.agent")
    assert (agent.id, agent.password_hash) == (agent_id, password_hash)  # keeps their password
    t_dir = entity_by_code(db_session, "T-DIR")
    assert t_dir.name == "Direction renommée"
    assert sorted((a.role, a.entity_id) for a in agent.roles) == [
        ("agent", t_dir.id),
        ("responsable", t_dir.id),
    ]
    demarche = db_session.scalars(select(Demarche).where(Demarche.code == "T-DEM-1")).one()
    assert (demarche.cost_amount, demarche.version) == (30000, 2)
    changed = db_session.scalars(select(Event).where(Event.action == "demarche.modifiee")).one()
    assert changed.data["modifications"] == {"cout.montant": [25000, 30000]}
    assert "  démarche T-DEM-1 : cout.montant" in report.lines()


def test_roles_become_exactly_those_of_the_file_in_the_users_entity(db_session, tmp_path, document):
    onboard(db_session, tmp_path, document)
    bo = user_by_login(db_session, "t.bo")
    bo.roles.append(RoleAssignment(entity_id=entity_by_code(db_session, "T-DIR").id, role="admin"))
    db_session.flush()

    report = onboard(db_session, tmp_path, document)

    assert report.users.updated == {"t.bo": ["roles"]}
    db_session.expire_all()
    assert sorted(a.role for a in user_by_login(db_session, "t.bo").roles) == [
        "bureau_ordre",
        "chef_service",
    ]


def test_removed_rows_are_only_reported_without_prune(db_session, tmp_path, document):
    onboard(db_session, tmp_path, document)
    document["entites"] = [e for e in document["entites"] if e["code"] != "T-DIR"]
    document["utilisateurs"] = [u for u in document["utilisateurs"] if u["login"] != "t.agent"]
    document["demarches"] = [d for d in document["demarches"] if d["entite"] != "T-DIR"]

    report = onboard(db_session, tmp_path, document)

    assert not report.changed
    assert (report.entities.missing, report.users.missing, report.demarches.missing) == (
        ["T-DIR"],
        ["t.agent"],
        ["T-DEM-2"],
    )
    assert (
        entity_by_code(db_session, "T-DIR").active and user_by_login(db_session, "t.agent").active
    )
    assert report.lines()[-3:] == ["  entité T-DIR", "  utilisateur t.agent", "  démarche T-DEM-2"]


def test_prune_deactivates_removed_rows_and_never_deletes_them(db_session, tmp_path, document):
    onboard(db_session, tmp_path, document)
    full = yaml.safe_load(yaml.safe_dump(document))
    document["utilisateurs"] = [u for u in document["utilisateurs"] if u["login"] != "t.agent"]
    document["demarches"] = document["demarches"][:1]

    report = onboard(db_session, tmp_path, document, prune=True)

    assert (report.users.deactivated, report.demarches.deactivated) == (["t.agent"], ["T-DEM-2"])
    assert not user_by_login(db_session, "t.agent").active
    assert db_session.scalar(select(func.count()).select_from(Demarche)) == 2
    assert events(db_session, "utilisateur.desactive") == 1
    assert events(db_session, "demarche.desactivee") == 1
    assert not onboard(db_session, tmp_path, document, prune=True).changed  # already inactive

    back = onboard(db_session, tmp_path, full)
    assert back.users.updated == {"t.agent": ["actif"]}
    assert user_by_login(db_session, "t.agent").active


def test_an_absent_section_is_left_alone_even_with_prune(db_session, tmp_path, document):
    onboard(db_session, tmp_path, document)
    del document["utilisateurs"]
    report = onboard(db_session, tmp_path, document, prune=True)
    assert report.users.missing == [] and report.users.deactivated == []
    assert user_by_login(db_session, "t.agent").active


def test_a_second_ministry_is_refused(db_session, tmp_path, document):
    onboard(db_session, tmp_path, document)
    with pytest.raises(InventoryError) as caught:
        onboard(db_session, tmp_path, another_ministry(document))
    [message] = caught.value.messages
    assert message.endswith(
        ": cette instance héberge déjà le ministère MTEST ; le fichier décrit le ministère AUTRE"
    )


def test_a_new_plan_start_moves_the_plan_and_keeps_done_tasks(db_session, tmp_path, document):
    onboard(db_session, tmp_path, document)
    mark_done(db_session, "A1-S1-1")
    document["plan"]["debut"] = "2025-11-12"
    report = onboard(db_session, tmp_path, document)
    assert report.plan == "début déplacé du 05/11/2025 au 12/11/2025."
    plan = db_session.scalars(select(Plan)).one()
    assert plan.start.isoformat() == "2025-11-12"
    assert (
        db_session.scalars(select(PlanTask).where(PlanTask.code == "A1-S1-1")).one().done_at
        is not None
    )


def test_an_unchanged_run_costs_the_same_few_selects_whatever_the_size(
    db_session, engine, tmp_path, document
):
    """GIVEN ministries of 3 and of 60 users WHEN each is onboarded again THEN as many SELECTs."""

    def selects_of_second_run(users: int) -> int:
        document["utilisateurs"] = [
            {
                "login": f"u{n}",
                "nom": f"U {n}",
                "email": f"u{n}@test.tg",
                "entite": "T-TUT",
                "roles": ["agent"],
            }
            for n in range(users)
        ]
        onboard(db_session, tmp_path, document)
        with recorded_statements(engine) as statements:
            onboard(db_session, tmp_path, document)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    small = selects_of_second_run(3)
    assert selects_of_second_run(60) == small
    assert small <= 8


# ``atd onboard``, committing for real on a fresh database of its own ---------------------------


@pytest.fixture
def atd(tmp_path: Path, fresh_database_url: str) -> Callable[..., Result]:
    return atd_runner(tmp_path, fresh_database_url)


@pytest.fixture
def snapshot(make_runtime) -> Callable[[], dict[str, list[tuple[Any, ...]]]]:
    """Every row of the tables onboarding writes, to compare the database before and after."""
    runtime = make_runtime()

    def take() -> dict[str, list[tuple[Any, ...]]]:
        with runtime.engine.connect() as conn:
            return {
                model.__tablename__: sorted(
                    tuple(row) for row in conn.execute(select(model.__table__))
                )
                for model in TOUCHED
            }

    return take


def test_cli_prints_the_report_and_each_new_password_once(atd, tmp_path, document):
    path = write(tmp_path, document)
    first = atd("onboard", path)
    assert first.exit_code == 0, first.output
    assert "Entités : 4 créées, 0 modifiée, 0 désactivée, 0 inchangée." in first.stdout
    assert [line.split("\t")[0] for line in first.stdout.splitlines() if "\t" in line] == [
        "t.admin",
        "t.bo",
        "t.agent",
    ]
    second = atd("onboard", path)
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines()[0] == "Aucun changement."
    assert "\t" not in second.stdout


def test_cli_dry_run_shows_the_changes_and_writes_nothing(atd, snapshot, tmp_path, document):
    before = snapshot()
    result = atd("onboard", write(tmp_path, document), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Entités : 4 créées" in result.stdout
    assert result.stdout.splitlines()[-1] == "Simulation : rien n'a été écrit."
    assert "\t" not in result.stdout  # no password for accounts that do not exist
    assert snapshot() == before


def test_cli_prints_every_located_error_exits_1_and_writes_nothing(atd, snapshot):
    before = snapshot()
    result = atd("onboard", INVENTORIES / "many-errors.yaml")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Erreur : l'inventaire n'a pas été chargé (14 erreurs) :"
    assert "  many-errors.yaml:24 : adresse e-mail invalide « pas-une-adresse »" in lines
    assert result.stdout == ""
    assert snapshot() == before


def test_cli_failed_onboarding_leaves_the_database_exactly_as_it_was(
    atd, snapshot, tmp_path, document
):
    assert atd("onboard", write(tmp_path, document)).exit_code == 0
    before = snapshot()
    refused = atd("onboard", write(tmp_path, another_ministry(document)))
    assert refused.exit_code == 1
    assert "héberge déjà le ministère MTEST" in refused.stderr
    assert snapshot() == before

    # A failure after every row was written (the passwords file cannot be created) rolls back all.
    document["entites"][0]["nom"] = "Nouveau nom"
    document["utilisateurs"].append(
        {
            "login": "t.new",
            "nom": "Nouveau",
            "email": "new@test.tg",
            "entite": "T-DIR",
            "roles": ["agent"],
        }
    )
    result = atd(
        "onboard", write(tmp_path, document), "--passwords", tmp_path / "absent" / "mdp.txt"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : impossible de créer")
    assert snapshot() == before


def test_cli_passwords_file_is_readable_by_its_owner_only(atd, tmp_path, document):
    target = tmp_path / "mots-de-passe.txt"
    result = atd("onboard", write(tmp_path, document), "--passwords", target)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == ["t.admin", "t.bo", "t.agent"]
    assert all(line.split("\t")[1] not in result.stdout for line in lines)


def test_cli_refuses_to_overwrite_a_passwords_file(atd, snapshot, tmp_path, document):
    target = tmp_path / "mots-de-passe.txt"
    target.write_text("ne pas écraser")
    before = snapshot()
    result = atd("onboard", write(tmp_path, document), "--passwords", target)
    assert result.exit_code == 1
    assert "existe déjà" in result.stderr
    assert target.read_text() == "ne pas écraser"
    assert snapshot() == before


def test_cli_prune_deactivates_what_the_file_no_longer_lists(atd, make_runtime, tmp_path, document):
    assert atd("onboard", write(tmp_path, document)).exit_code == 0
    document["utilisateurs"] = document["utilisateurs"][:2]
    kept = atd("onboard", write(tmp_path, document))
    assert "  utilisateur t.agent" in kept.stdout
    pruned = atd("onboard", write(tmp_path, document), "--prune")
    assert "Utilisateurs : 0 créé, 0 modifié, 1 désactivé, 2 inchangés." in pruned.stdout
    with make_runtime().session() as session:
        assert not user_by_login(session, "t.agent").active


def test_demo_inventory_onboards_and_a_second_time_changes_nothing(db_session):
    demo = load_inventory(Path(__file__).parents[2] / "core" / "data" / "demo-ministere.yaml")
    first = apply_inventory(db_session, demo)
    assert len(first.users.created) == len(demo.users)
    assert not apply_inventory(db_session, demo).changed
