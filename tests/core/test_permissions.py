"""Roles are held in an entity and valid in its sub-entities, nowhere else."""

from core import permissions
from tests.factories import make_ministry, make_user


def test_role_held_in_entity_is_valid_in_its_sub_entities(db_session):
    tree = make_ministry(db_session)
    agent = make_user(db_session, tree["CEET"], roles=("agent",))
    assert permissions.may(db_session, agent, "voir", tree["CEET-COM"].id)
    assert permissions.may(db_session, agent, "voir", tree["CEET"].id)


def test_role_is_not_valid_in_parent_or_sibling_entities(db_session):
    tree = make_ministry(db_session)
    agent = make_user(db_session, tree["CEET"], roles=("agent",))
    assert not permissions.may(db_session, agent, "voir", tree["MDERM"].id)
    assert not permissions.may(db_session, agent, "voir", tree["ARSE"].id)


def test_action_needs_a_role_that_allows_it(db_session):
    tree = make_ministry(db_session)
    agent = make_user(db_session, tree["MDERM"], roles=("agent",))
    admin = make_user(db_session, tree["MDERM"], roles=("admin",))
    assert not permissions.may(db_session, agent, "administrer", tree["CEET"].id)
    assert permissions.may(db_session, admin, "administrer", tree["CEET"].id)
    assert permissions.entities_for(db_session, admin, "administrer") == {
        e.id for e in tree.values()
    }


def test_inactive_user_may_do_nothing(db_session):
    tree = make_ministry(db_session)
    admin = make_user(db_session, tree["MDERM"], roles=("admin",))
    admin.active = False
    assert permissions.entities_for(db_session, admin) == set()
    assert not permissions.may(db_session, admin, "voir", tree["MDERM"].id)
