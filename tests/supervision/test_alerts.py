"""Alerts: raised above thresholds set per entity, inherited by the entities below."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import ValidationError
from supervision import service
from supervision.metrics.alerts import limits_for, set_limit
from tests.factories import make_demarche
from tests.supervision.conftest import ON, days_before


@pytest.fixture
def late_ceet(history):
    """CEET: two open courriers out of five are overdue (40 %)."""
    for age, due in [(2, date(2026, 3, 1)), (3, date(2026, 3, 2)), (1, None), (1, None),
                     (1, None)]:
        history.courrier(days_before(age), due=due, status="impute")
    return history


def alert_codes(history, code="CEET"):
    result = service.kpis(history.runtime, None, code, on=ON)
    return [alert["code"] for alert in result["ensemble"]["alertes"]]


def test_overdue_share_above_the_default_threshold_raises_an_alert(late_ceet):
    result = service.kpis(late_ceet.runtime, None, "CEET", on=ON)
    (alert,) = result["ensemble"]["alertes"]
    assert alert == {"code": "retard", "valeur": 40.0, "seuil": 20,
                     "message": "40 % des courriers en cours sont en retard (seuil : 20 %)."}


def test_a_threshold_set_on_the_ministry_holds_below_unless_the_entity_sets_its_own(late_ceet):
    h = late_ceet
    set_limit(h.session, h.entities["MDERM"], "part_en_retard_max", 50)
    h.session.flush()
    assert alert_codes(h) == []
    set_limit(h.session, h.entities["CEET"], "part_en_retard_max", 30)
    h.session.flush()
    assert alert_codes(h) == ["retard"]
    limits = limits_for(h.session, [h.entities["CEET-COM"].id, h.entities["ARSE"].id])
    assert limits[h.entities["CEET-COM"].id]["part_en_retard_max"] == 30
    assert limits[h.entities["ARSE"].id]["part_en_retard_max"] == 50


def test_demarches_below_the_target_raise_an_alert(history):
    offline = make_demarche(history.session, history.entities["ARSE"])
    offline.online = False
    history.session.flush()
    assert alert_codes(history, "ARSE") == ["demarches"]


def test_thresholds_out_of_range_or_unknown_are_refused(history):
    with pytest.raises(ValidationError, match="entre 0 et 100"):
        set_limit(history.session, history.entities["CEET"], "part_en_retard_max", 120)
    with pytest.raises(ValidationError, match="Seuil inconnu"):
        set_limit(history.session, history.entities["CEET"], "vitesse", 1)


def test_a_responsable_reads_the_alerts_of_their_entity_and_an_agent_none(late_ceet):
    from supervision.service import alert_lines
    from tests.factories import make_user

    h = late_ceet
    responsable = make_user(h.session, h.entities["CEET"], ("responsable",))
    agent = make_user(h.session, h.entities["CEET"], ("agent",))
    lines = alert_lines(h.session, responsable)
    assert lines[0].startswith("CEET : ") and "en retard" in lines[0]
    assert alert_lines(h.session, agent) == []


def test_a_responsable_sees_the_alerts_on_the_home_page(late_ceet, client):
    from tests.core.web_helpers import log_in
    from tests.factories import make_user

    make_user(late_ceet.session, late_ceet.entities["CEET"], ("responsable",), login="resp.ceet")
    log_in(client, "resp.ceet")
    page = client.get("/").get_data(as_text=True)
    assert "Alertes de supervision" in page
    assert "CEET : " in page and "en retard" in page
