"""Bringing the database in line with an inventory: create, update, report, and prune on request.

Existing rows are loaded in a few bulk queries and compared in memory, so a second run on an
unchanged file costs a handful of SELECTs whatever the size of the ministry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from connectors.portal.publication import demarches_changed
from core import audit
from core.auth import hash_one_time_password, new_one_time_password
from core.identity import Demarche, Entity, RoleAssignment, User
from core.onboarding.errors import InventoryError, located
from core.onboarding.inventory import DemarcheRow, EntityRow, Inventory, UserRow
from core.onboarding.report import Report, SectionReport
from core.permissions import forget_tree
from supervision.plan.service import current_plan, ensure_plan

# A row's fields as the inventory names them, e.g. {"nom": …, "actif": True}.
Wanted = dict[str, Any]
Row = Entity | User | Demarche


@dataclass(frozen=True)
class _Kind:
    """How one kind of row is named in the report and in the event log."""

    object_type: str  # "entite"
    key_name: str  # "code" or "login"
    feminine: bool

    def action(self, verb: str) -> str:
        return f"{self.object_type}.{verb}{'e' if self.feminine else ''}"


ENTITY = _Kind("entite", "code", True)
USER = _Kind("utilisateur", "login", False)
DEMARCHE = _Kind("demarche", "code", True)


def _entity_wanted(row: EntityRow) -> Wanted:
    return {
        "nom": row.name,
        "type": row.type,
        "parent": row.parent,
        "delais": row.delays,
        "actif": True,
    }


def _user_wanted(row: UserRow) -> Wanted:
    return {
        "nom": row.name,
        "email": row.email,
        "entite": row.entity,
        "roles": sorted(row.roles),
        "actif": True,
    }


def _demarche_wanted(row: DemarcheRow) -> Wanted:
    return {
        "titre": row.title,
        "entite": row.entity,
        "public": list(row.audience),
        "description": row.description,
        "pieces": list(row.pieces),
        "etapes": list(row.steps),
        "cout.montant": row.cost_amount,
        "cout.devise": row.cost_currency,
        "delai_jours": row.delay_days,
        "en_ligne": row.online,
        "url": row.online_url,
        "actif": True,
    }


class _Onboarding:
    """One application of an inventory inside the caller's transaction."""

    def __init__(
        self, session: Session, inventory: Inventory, prune: bool, actor_name: str
    ) -> None:
        self.session, self.inventory = session, inventory
        self.prune, self.actor_name = prune, actor_name
        self.report = Report()
        # Events are written after one flush, when every new row has its id.
        self.pending: list[tuple[str, str, Row, dict[str, Any]]] = []
        self.entities = {e.code: e for e in session.scalars(select(Entity))}
        self.codes = {e.id: e.code for e in self.entities.values()}

    def event(self, kind: _Kind, verb: str, row: Row, data: dict[str, Any]) -> None:
        self.pending.append((kind.action(verb), kind.object_type, row, data))

    def sync(
        self,
        kind: _Kind,
        section: SectionReport,
        existing: dict[str, Any],
        wanted: list[tuple[str, Wanted]],
        state: Callable[[Any], Wanted],
        create: Callable[[str, Wanted], Row],
        update: Callable[[Any, Wanted], None],
        present: bool,
    ) -> None:
        """Create, update or leave each wanted row; report (or prune) the active ones not wanted."""
        for key, fields in wanted:
            row = existing.get(key)
            if row is None:
                existing[key] = row = create(key, fields)
                self.session.add(row)
                section.created.append(key)
                self.event(kind, "cree", row, {kind.key_name: key, **fields})
                continue
            current = state(row)
            changes = {
                name: [current[name], value]
                for name, value in fields.items()
                if current[name] != value
            }
            if not changes:
                section.unchanged += 1
                continue
            update(row, fields)
            section.updated[key] = list(changes)
            self.event(kind, "modifie", row, {kind.key_name: key, "modifications": changes})
        if not present:
            return
        keys = {key for key, _ in wanted}
        for key, row in existing.items():
            if key in keys or not row.active:
                continue
            if self.prune:
                row.active = False
                section.deactivated.append(key)
                self.event(kind, "desactive", row, {kind.key_name: key})
            else:
                section.missing.append(key)

    # Entities ---------------------------------------------------------------------------

    def _entity_state(self, entity: Entity) -> Wanted:
        return {
            "nom": entity.name,
            "type": entity.type,
            "parent": self.codes.get(entity.parent_id or 0),
            "delais": dict(entity.delays or {}),
            "actif": entity.active,
        }

    def _set_entity(self, entity: Entity, fields: Wanted) -> None:
        entity.name, entity.type, entity.active = fields["nom"], fields["type"], True
        entity.parent = self.entities[fields["parent"]] if fields["parent"] else None
        if "delais" in fields:
            entity.delays = fields["delais"]

    def _new_entity(self, code: str, fields: Wanted) -> Entity:
        entity = Entity(code=code, delays={})
        self._set_entity(entity, fields)
        return entity

    def apply_entities(self) -> None:
        ministry = self.inventory.ministry
        root = next(
            (e for e in self.entities.values() if e.type == "ministere" and e.parent_id is None),
            None,
        )
        if root is not None and root.code != ministry.code:
            raise InventoryError(
                [
                    located(
                        ministry.where,
                        (
                            f"cette instance héberge déjà le ministère {root.code} ; "
                            f"le fichier décrit le ministère {ministry.code}"
                        ),
                    )
                ]
            )
        # The ministry carries no delays in the inventory: leave whatever it holds.
        wanted = [
            (
                ministry.code,
                {"nom": ministry.name, "type": "ministere", "parent": None, "actif": True},
            )
        ]
        wanted += [(row.code, _entity_wanted(row)) for row in self.inventory.entities]
        self.sync(
            ENTITY,
            self.report.entities,
            self.entities,
            wanted,
            self._entity_state,
            self._new_entity,
            self._set_entity,
            "entites" in self.inventory.sections,
        )

    # Users --------------------------------------------------------------------------------

    def _user_state(self, user: User) -> Wanted:
        roles = sorted(
            a.role if a.entity_id == user.entity_id else f"{a.role} ({self.codes.get(a.entity_id)})"
            for a in user.roles
        )
        return {
            "nom": user.name,
            "email": user.email,
            "entite": self.codes.get(user.entity_id),
            "roles": roles,
            "actif": user.active,
        }

    def _set_user(self, user: User, fields: Wanted) -> None:
        entity = self.entities[fields["entite"]]
        user.name, user.email, user.entity, user.active = (
            fields["nom"],
            fields["email"],
            entity,
            True,
        )
        # The roles become exactly those of the file, held in the user's entity; assignments
        # that stay are kept as they are (a new entity has no id yet, so none match it).
        kept = [a for a in user.roles if a.entity_id == entity.id and a.role in fields["roles"]]
        held = {a.role for a in kept}
        user.roles = kept + [
            RoleAssignment(entity=entity, role=r) for r in fields["roles"] if r not in held
        ]

    def _new_user(self, login: str, fields: Wanted) -> User:
        password = new_one_time_password()
        self.report.passwords.append((login, password))
        user = User(
            login=login,
            password_hash=hash_one_time_password(password),
            must_change_password=True,
            roles=[],
        )
        self._set_user(user, fields)
        return user

    def apply_users(self) -> None:
        existing = {
            u.login: u for u in self.session.scalars(select(User).options(selectinload(User.roles)))
        }
        wanted = [(row.login, _user_wanted(row)) for row in self.inventory.users]
        self.sync(
            USER,
            self.report.users,
            existing,
            wanted,
            self._user_state,
            self._new_user,
            self._set_user,
            "utilisateurs" in self.inventory.sections,
        )

    # Démarches ------------------------------------------------------------------------------

    def _demarche_state(self, demarche: Demarche) -> Wanted:
        return {
            "titre": demarche.title,
            "entite": self.codes.get(demarche.entity_id),
            "public": list(demarche.audience or []),
            "description": demarche.description,
            "pieces": list(demarche.pieces or []),
            "etapes": list(demarche.steps or []),
            "cout.montant": demarche.cost_amount,
            "cout.devise": demarche.cost_currency,
            "delai_jours": demarche.delay_days,
            "en_ligne": demarche.online,
            "url": demarche.online_url,
            "actif": demarche.active,
        }

    def _set_demarche(self, demarche: Demarche, fields: Wanted) -> None:
        demarche.title, demarche.entity = fields["titre"], self.entities[fields["entite"]]
        demarche.audience, demarche.description = fields["public"], fields["description"]
        demarche.pieces, demarche.steps = fields["pieces"], fields["etapes"]
        demarche.cost_amount, demarche.cost_currency = fields["cout.montant"], fields["cout.devise"]
        demarche.delay_days, demarche.online = fields["delai_jours"], fields["en_ligne"]
        demarche.online_url, demarche.active = fields["url"], True
        if demarche.id is not None:
            demarche.version += 1  # the portal publication is keyed on the version

    def _new_demarche(self, code: str, fields: Wanted) -> Demarche:
        demarche = Demarche(code=code, version=1)
        self._set_demarche(demarche, fields)
        return demarche

    def apply_demarches(self) -> None:
        existing = {d.code: d for d in self.session.scalars(select(Demarche))}
        wanted = [(row.code, _demarche_wanted(row)) for row in self.inventory.demarches]
        self.sync(
            DEMARCHE,
            self.report.demarches,
            existing,
            wanted,
            self._demarche_state,
            self._new_demarche,
            self._set_demarche,
            "demarches" in self.inventory.sections,
        )

    # Events and plan -------------------------------------------------------------------------

    def write_events(self) -> None:
        # One flush for every row first: each event then only flushes itself and the audit head.
        self.session.flush()
        for action, object_type, row, data in self.pending:
            scope = row.id if isinstance(row, Entity) else row.entity_id
            audit.record(
                self.session,
                None,
                action,
                object_type,
                row.id,
                scope,
                data,
                actor_name=self.actor_name,
            )
        self.session.flush()

    def apply_plan(self) -> None:
        start = self.inventory.plan_start
        if start is None:
            return
        plan = current_plan(self.session)
        before = plan.start if plan is not None else None
        if before == start:
            return
        plan = ensure_plan(self.session, start, actor_name=self.actor_name)
        if before is None:
            self.report.plan = f"créé, début le {start:%d/%m/%Y} ({len(plan.tasks)} tâches)."
        else:
            self.report.plan = f"début déplacé du {before:%d/%m/%Y} au {start:%d/%m/%Y}."


def apply_inventory(
    session: Session, inventory: Inventory, prune: bool = False, actor_name: str = "cli"
) -> Report:
    """Bring the database in line with the inventory, in the caller's transaction (never commits).

    Rows of the file are created or updated in place; active rows absent from the file are
    reported, and deactivated (never deleted) when ``prune`` is true. New users get a one-time
    password, returned in ``Report.passwords`` for the caller to hand over once.

    Raises:
        InventoryError: the database holds another ministry than the file's.
    """
    run = _Onboarding(session, inventory, prune, actor_name)
    run.apply_entities()
    run.apply_users()
    run.apply_demarches()
    run.write_events()
    # Published démarches that changed go to the portal's outbox in this same transaction.
    demarches_changed(session, [*run.report.demarches.updated, *run.report.demarches.deactivated])
    forget_tree(session)
    run.apply_plan()
    return run.report
