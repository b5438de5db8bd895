"""The account under which the portal's dossiers are registered: no password, never logs in.

Every courrier has a registering user and every event an actor; for what comes in from the
portal that is this account, a mail office role over the whole ministry.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core import audit
from core.errors import ConfigError
from core.identity import RoleAssignment, User, ministry, user_by_login
from core.permissions import forget_tree

LOGIN = "portail"


def portal_agent(session: Session) -> User:
    """The portal's account, created on first use."""
    user = user_by_login(session, LOGIN)
    if user is not None:
        return user
    root = ministry(session)
    if root is None:
        raise ConfigError("Aucun ministère n'est chargé : lancez d'abord « atd onboard ».")
    user = User(login=LOGIN, name="Portail national des services publics",
                email="portail@localhost", entity_id=root.id, password_hash=None,
                must_change_password=False, active=True)
    user.roles = [RoleAssignment(entity_id=root.id, role="bureau_ordre")]
    session.add(user)
    session.flush()
    forget_tree(session)
    audit.record(session, None, "utilisateur.cree", "utilisateur", user.id, root.id,
                 {"login": LOGIN, "roles": ["bureau_ordre"]}, actor_name="portail")
    return user
