"""The room's figures, checked against courrier histories written by hand (both databases)."""

from __future__ import annotations

from datetime import date

from ged.models import Document, DocumentVersion, Page
from supervision import service, summary
from supervision.plan.service import ensure_plan
from tests.factories import make_demarche
from tests.supervision.conftest import ON, at, days_before, supervisor

MARCH = {"du": "2026-03-01", "au": "2026-03-31", "on": ON}


def figures(history, user=None, code=None, **period):
    return service.kpis(history.runtime, user, code, **(MARCH | period))


def card(result, code):
    return next(unit for unit in result["entites"] if unit["code"] == code)


def test_flows_count_registrations_by_channel_routings_treatments_and_closings(march):
    mail = card(figures(march), "CEET")["courrier"]
    assert mail["enregistres"] == 4
    assert mail["par_canal"] == {"physique": 1, "email": 2, "portail": 1, "fax": 0,
                                 "main_propre": 0}
    assert (mail["imputes"], mail["traites"], mail["repondus"], mail["clos"]) == (3, 4, 3, 1)
    assert mail["departs"] == 1


def test_share_answered_on_time_compares_the_treatment_day_with_the_due_date(march):
    mail = card(figures(march), "CEET")["courrier"]
    assert mail["a_temps"] == 2  # c1 and c3; c2 and c4 were treated after their due date
    assert mail["part_a_temps"] == 50.0


def test_processing_and_first_routing_times_are_nearest_rank_percentiles(march):
    mail = card(figures(march), "CEET")["courrier"]
    # Treatments took 3, 17, 1 and 10 days; first routings 4, 24 and 1 hours.
    assert mail["delai_traitement_jours"]["mediane"] == 3
    assert mail["delai_traitement_jours"]["p90"] == 17
    assert mail["delai_traitement_jours"]["distribution"] == [
        {"jours": 1, "nombre": 1}, {"jours": 3, "nombre": 1}, {"jours": 10, "nombre": 1},
        {"jours": 17, "nombre": 1}]
    assert mail["delai_imputation_heures"] == {"mediane": 4, "p90": 24}


def test_throughput_per_service_names_the_service_that_treated(march):
    mail = card(figures(march), "CEET")["courrier"]
    assert mail["par_service"] == [
        {"code": "CEET-COM", "nom": "Entité CEET-COM", "traites": 3},
        {"code": "—", "nom": "Sans service désigné", "traites": 1},
    ]


def test_daily_series_has_every_day_of_the_period(march):
    days = card(figures(march), "CEET")["courrier"]["par_jour"]
    assert len(days) == 31 and days[0]["jour"] == "2026-03-01"
    third = days[2]
    assert third["enregistres"] == 1 and third["par_canal"]["email"] == 1
    assert days[1]["traites"] == 1 and days[19]["traites"] == 1


def test_a_shorter_period_leaves_out_what_happened_outside_it(march):
    mail = card(figures(march, du="2026-03-05", au="2026-03-11"), "CEET")["courrier"]
    assert mail["enregistres"] == 1  # c3 on the 10th
    assert mail["traites"] == 2  # c1 on the 5th, c3 on the 11th
    assert len(mail["par_jour"]) == 7


def test_backlog_is_split_by_age_and_overdue_is_measured_today(history):
    h = history
    for age, status, due in [
        (0, "enregistre", date(2026, 4, 30)), (7, "impute", date(2026, 3, 30)),
        (8, "en_traitement", date(2026, 4, 5)), (15, "en_attente_avis", date(2026, 3, 20)),
        (16, "impute", None), (30, "impute", date(2026, 4, 10)),
        (31, "en_traitement", date(2026, 3, 20)),
    ]:
        h.courrier(days_before(age), status=status, due=due)
    h.courrier(days_before(90), status="clos", due=date(2026, 1, 1))
    h.courrier(days_before(3), status="en_preparation", direction="depart")
    mail = card(figures(h), "CEET")["courrier"]
    assert mail["en_cours"] == 7
    assert mail["anciennete"] == {"0-7": 2, "8-15": 2, "16-30": 2, "plus_30": 1}
    assert mail["en_retard"] == 3
    assert mail["part_en_retard"] == 42.9


def test_pending_opinions_have_a_count_an_age_and_the_late_ones(history):
    h = history
    letter = h.courrier(days_before(20), status="en_attente_avis")
    h.opinion(letter, "CEET-COM", days_before(10), due=date(2026, 3, 28))
    h.opinion(letter, "CEET-COM", days_before(2), due=date(2026, 4, 5))
    given = h.opinion(letter, "CEET-COM", days_before(5))
    given.active, given.answered_at = False, days_before(1)
    h.opinion(letter, "ARSE", days_before(40))
    h.session.flush()
    opinions = card(figures(h), "CEET")["courrier"]["avis_en_attente"]
    assert opinions == {"nombre": 2, "age_moyen_jours": 6.0, "plus_ancien_jours": 10,
                        "en_retard": 1}


def test_an_entity_card_adds_up_its_sub_entities_and_the_whole_adds_up_the_cards(history):
    h = history
    h.courrier(at(date(2026, 3, 2)))
    h.courrier(at(date(2026, 3, 3)), entity="CEET-COM")
    h.courrier(at(date(2026, 3, 4)), entity="ARSE")
    result = figures(h)
    assert [u["code"] for u in result["entites"]] == ["ARSE", "CEET"]
    assert card(result, "CEET")["courrier"]["enregistres"] == 2
    assert card(result, "ARSE")["courrier"]["enregistres"] == 1
    assert result["ensemble"]["code"] == "MDERM"
    assert result["ensemble"]["courrier"]["enregistres"] == 3


def test_ged_counts_pages_read_by_ocr_their_confidence_and_what_waits(history):
    from core import audit

    h, ceet = history, history.entities["CEET"]
    document = Document(title="Lettre", entity_id=ceet.id)
    h.session.add(document)
    h.session.flush()

    def version(number, status):
        row = DocumentVersion(document_id=document.id, number=number, filename="l.pdf",
                              kind="pdf", media_type="application/pdf", size=10,
                              sha256=f"{number:064d}", status=status)
        h.session.add(row)
        h.session.flush()
        return row

    read = version(1, "terminee")
    h.session.add_all([Page(version_id=read.id, number=1, source="ocr", confidence=90.0),
                       Page(version_id=read.id, number=2, source="ocr", confidence=81.0),
                       Page(version_id=read.id, number=3, source="texte")])
    version(2, "en_attente")
    failed = version(3, "echec")
    for action, object_type, object_id, data in [
        ("ged.document.ajoute", "ged_document", document.id, {}),
        ("ged.extraction.terminee", "ged_version", read.id, {"pages": 3}),
        ("ged.extraction.echouee", "ged_version", failed.id, {"pages": 0}),
    ]:
        event = audit.record(h.session, None, action, object_type, object_id, ceet.id, data)
        event.created_at = at(date(2026, 3, 10))
    h.session.flush()
    ged = card(figures(h), "CEET")["ged"]
    assert ged == {"documents": 1, "versions_lues": 1, "pages": 3, "pages_ocr": 2,
                   "confiance_ocr_moyenne": 85.5, "echecs": 1, "en_attente_lecture": 1,
                   "en_echec": 1}


def test_demarches_online_are_measured_against_75_percent_then_100_with_the_plan(history):
    h, ceet = history, history.entities["CEET"]
    make_demarche(h.session, ceet)
    make_demarche(h.session, h.entities["CEET-COM"])
    offline = make_demarche(h.session, ceet)
    offline.online = False
    make_demarche(h.session, ceet, active=False)
    h.session.flush()
    demarches = card(figures(h), "CEET")["demarches"]
    assert (demarches["total"], demarches["en_ligne"], demarches["part_en_ligne"]) == (3, 2, 66.7)
    assert demarches["cible"] == 75 and not demarches["cible_atteinte"]
    ensure_plan(h.session, date(2026, 3, 2))
    h.session.flush()
    assert card(figures(h), "CEET")["demarches"]["cible"] == 100


def test_the_fold_reads_each_event_once_and_picks_up_new_ones(march):
    before = card(figures(march), "CEET")["courrier"]
    assert summary.lag(march.session) == 0
    assert summary.fold(march.session) == 0
    again = card(figures(march), "CEET")["courrier"]
    assert again["enregistres"] == before["enregistres"] == 4
    march.courrier(at(date(2026, 3, 30)), channel="fax")
    assert summary.lag(march.session) == 1
    after = card(figures(march), "CEET")["courrier"]
    assert after["enregistres"] == 5 and after["par_canal"]["fax"] == 1


def test_a_supervisor_of_ceet_gets_only_ceet(march):
    h = march
    h.courrier(at(date(2026, 3, 4)), entity="ARSE")
    watcher = supervisor(h.session, h.entities["CEET"])
    result = figures(h, watcher)
    assert [u["code"] for u in result["entites"]] == ["CEET"]
    assert result["ensemble"]["code"] == "CEET"
    assert result["ensemble"]["courrier"]["enregistres"] == 4


def test_whole_months_come_from_the_monthly_counts_and_ragged_ends_from_the_daily_ones(history):
    from supervision.metrics.daily import pieces
    from supervision.models import DailyCount, MonthlyCount
    from supervision.periods import Period

    for day in (date(2026, 1, 9), date(2026, 1, 10), date(2026, 2, 14), date(2026, 3, 15),
                date(2026, 3, 16)):
        history.courrier(at(day))
    assert pieces(Period(date(2026, 1, 10), date(2026, 3, 15))) == [
        (MonthlyCount, date(2026, 2, 1), date(2026, 2, 28)),
        (DailyCount, date(2026, 1, 10), date(2026, 1, 31)),
        (DailyCount, date(2026, 3, 1), date(2026, 3, 15)),
    ]
    counted = card(figures(history, du="2026-01-10", au="2026-03-15"), "CEET")["courrier"]
    assert counted["enregistres"] == 3
    whole = card(figures(history, du="2026-01-01", au="2026-03-31"), "CEET")["courrier"]
    assert whole["enregistres"] == 5


def test_publication_states_and_dossiers_come_from_the_portal_connector(history):
    from connectors.portal.models import PortalDossier, Publication

    h = history
    published, failed = make_demarche(h.session, h.entities["CEET"]), make_demarche(
        h.session, h.entities["CEET-COM"])
    h.session.add_all([Publication(demarche_id=published.id, status="publiee"),
                       Publication(demarche_id=failed.id, status="echec")])
    letter = h.courrier(at(date(2026, 3, 2)), channel="portail")
    for n, state in enumerate(("en_instruction", "en_instruction", "accepte")):
        h.session.add(PortalDossier(portal_id=f"P{n}", number=f"D-{n}", state=state,
                                    demarche_code=published.code, courrier_id=letter.id,
                                    payload={}))
    h.session.flush()
    unit = card(figures(h), "CEET")
    assert unit["demarches"]["publication"] == {"publiee": 1, "echec": 1}
    assert unit["demarches"]["dossiers"] == {"en_instruction": 2, "accepte": 1}
    assert "publication" in [alert["code"] for alert in unit["alertes"]]
