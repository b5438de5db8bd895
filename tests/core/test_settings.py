"""Settings: the embedded setup by default, typed ATD_* variables, a TOML file, secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.settings import PARSERS, Settings, ensure_secret_key, load_settings

# One row per setting: (variable, raw value, attribute, typed value).
PARSED = [
    ("ATD_DATABASE_URL", "postgresql+psycopg://u@h/db", "database_url", "postgresql+psycopg://u@h/db"),
    ("ATD_STORAGE_DIR", "/srv/atd/files", "storage_dir", Path("/srv/atd/files")),
    ("ATD_INSTANCE_DIR", "/srv/atd", "instance_dir", Path("/srv/atd")),
    ("ATD_REDIS_URL", "redis://cache:6379/0", "redis_url", "redis://cache:6379/0"),
    ("ATD_SEARCH", "Elasticsearch", "search", "elasticsearch"),
    ("ATD_ELASTICSEARCH_URL", "http://es:9200", "elasticsearch_url", "http://es:9200"),
    ("ATD_SECRET_KEY", "s3cret", "secret_key", "s3cret"),
    ("ATD_WORKERS", "4", "workers", 4),
    ("ATD_OCR_LANG", "fra+eng", "ocr_lang", "fra+eng"),
    ("ATD_MAX_UPLOAD_MB", "20", "max_upload_mb", 20),
    ("ATD_MAX_IMAGE_PIXELS", "1000000", "max_image_pixels", 1_000_000),
    ("ATD_LOGIN_MAX_FAILURES", "3", "login_max_failures", 3),
    ("ATD_LOGIN_LOCK_MINUTES", "30", "login_lock_minutes", 30),
    ("ATD_SECURE_COOKIES", "oui", "secure_cookies", True),
    ("ATD_SESSION_HOURS", "8", "session_hours", 8),
    ("ATD_JOB_MAX_ATTEMPTS", "7", "job_max_attempts", 7),
    ("ATD_JOB_BACKOFF_SECONDS", "0.5", "job_backoff_seconds", 0.5),
    ("ATD_JOB_TIMEOUT_SECONDS", "600", "job_timeout_seconds", 600),
    ("ATD_QUEUE_NAME", "atd-cabinet", "queue_name", "atd-cabinet"),
    ("ATD_SMTP_URL", "smtp://relais:587?from=bo@mderm.tg", "smtp_url",
     "smtp://relais:587?from=bo@mderm.tg"),
    ("ATD_PORTAL_URL", "https://portail.gouv.tg/api", "portal_url", "https://portail.gouv.tg/api"),
    ("ATD_PORTAL_TOKEN", "jeton", "portal_token", "jeton"),
    ("ATD_PORTAL_WEBHOOK_SECRET", "secret", "portal_webhook_secret", "secret"),
    ("ATD_PORTAL_TIMEOUT_SECONDS", "2.5", "portal_timeout_seconds", 2.5),
    ("ATD_PORTAL_MAX_ATTEMPTS", "3", "portal_max_attempts", 3),
    ("ATD_PORTAL_BACKOFF_SECONDS", "1", "portal_backoff_seconds", 1.0),
    ("ATD_PORTAL_PULL_MINUTES", "0", "portal_pull_minutes", 0),
    ("ATD_INTAKE_DIR", "/srv/scanner", "intake_dir", Path("/srv/scanner")),
    ("ATD_IMAP_URL", "imaps://bo:mdp@mail.gouv.tg/INBOX?entite=CEET", "imap_url",
     "imaps://bo:mdp@mail.gouv.tg/INBOX?entite=CEET"),
    ("ATD_IMAP_MINUTES", "10", "imap_minutes", 10),
]

WRONG = [
    ("ATD_DATABASE_URL", "mysql://u@h/db"),
    ("ATD_REDIS_URL", "http://cache:6379"),
    ("ATD_SEARCH", "solr"),
    ("ATD_WORKERS", "deux"),
    ("ATD_WORKERS", "-1"),
    ("ATD_WORKERS", "2.5"),
    ("ATD_LOGIN_MAX_FAILURES", ""),
    ("ATD_SECURE_COOKIES", "peut-être"),
    ("ATD_JOB_BACKOFF_SECONDS", "vite"),
    ("ATD_JOB_BACKOFF_SECONDS", "inf"),
    ("ATD_JOB_MAX_ATTEMPTS", "-3"),
    ("ATD_JOB_TIMEOUT_SECONDS", "2h"),
    ("ATD_SMTP_URL", "mail.mderm.tg"),
    ("ATD_PORTAL_MAX_ATTEMPTS", "beaucoup"),
    ("ATD_PORTAL_TIMEOUT_SECONDS", "-1"),
    ("ATD_IMAP_URL", "pop3://bo@mail.gouv.tg"),
]


def test_defaults_are_the_embedded_setup():
    settings = load_settings(env={})
    assert settings.database_url == "sqlite:///instance/atd.db"
    assert settings.storage_dir == Path("instance/files")
    assert settings.instance_dir == Path("instance")
    assert settings.redis_url is None and not settings.uses_redis
    assert settings.search == "db"
    assert settings.secret_key == ""


def test_every_setting_has_a_parsing_case():
    assert sorted(attribute for _, _, attribute, _ in PARSED) == sorted(PARSERS)


@pytest.mark.parametrize(("variable", "raw", "attribute", "expected"), PARSED,
                         ids=[row[0] for row in PARSED])
def test_each_variable_is_parsed_and_typed(variable, raw, attribute, expected):
    env = {variable: raw}
    if variable == "ATD_SEARCH":
        env["ATD_ELASTICSEARCH_URL"] = "http://es:9200"
    value = getattr(load_settings(env=env), attribute)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(("variable", "raw"), WRONG, ids=[f"{v}={r!r}" for v, r in WRONG])
def test_wrong_value_raises_an_error_naming_the_variable(variable, raw):
    with pytest.raises(ConfigError, match=variable):
        load_settings(env={variable: raw})


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_plain_postgresql_url_uses_psycopg_3(scheme):
    settings = load_settings(env={"ATD_DATABASE_URL": f"{scheme}://u@h/db"})
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_empty_redis_url_means_jobs_run_in_process():
    assert load_settings(env={"ATD_REDIS_URL": ""}).redis_url is None


def test_elasticsearch_search_needs_its_url():
    with pytest.raises(ConfigError, match="ATD_ELASTICSEARCH_URL"):
        load_settings(env={"ATD_SEARCH": "elasticsearch"})


def test_overrides_win_and_unknown_ones_are_kept_as_extra():
    settings = load_settings(env={"ATD_WORKERS": "4"}, overrides={"workers": 1, "demo": True})
    assert settings.workers == 1
    assert settings.extra == {"demo": True}


# -- the TOML file --------------------------------------------------------------------------


def write(path: Path, content: str) -> str:
    path.write_text(content, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("table", ["", "[atd]\n"], ids=["top level", "atd table"])
def test_toml_file_named_by_atd_config_is_read_and_typed(tmp_path, table):
    content = f'{table}workers = 3\nsearch = "db"\nsecure_cookies = true\n'
    config = write(tmp_path / "atd.toml", content)
    settings = load_settings(env={"ATD_CONFIG": config})
    assert (settings.workers, settings.search, settings.secure_cookies) == (3, "db", True)


def test_environment_wins_over_the_toml_file(tmp_path):
    config = write(tmp_path / "atd.toml", "workers = 3\n")
    assert load_settings(env={"ATD_CONFIG": config, "ATD_WORKERS": "5"}).workers == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("wrokers = 3\n", "clé inconnue 'wrokers'"),
        ("workers = \n", "TOML valide"),
        ("workers = 2.5\n", "ATD_WORKERS"),
    ],
    ids=["unknown key", "invalid toml", "wrong type"],
)
def test_bad_toml_file_is_refused(tmp_path, content, message):
    config = write(tmp_path / "atd.toml", content)
    with pytest.raises(ConfigError, match=message):
        load_settings(env={"ATD_CONFIG": config})


def test_missing_toml_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="ATD_CONFIG"):
        load_settings(env={"ATD_CONFIG": str(tmp_path / "absent.toml")})


# -- secrets --------------------------------------------------------------------------------


def test_file_variable_holds_a_secret(tmp_path):
    secret = write(tmp_path / "key", "from-a-file\n")
    env = {"ATD_SECRET_KEY_FILE": secret, "ATD_SECRET_KEY": "from-the-environment"}
    assert load_settings(env=env).secret_key == "from-a-file"


def test_unreadable_secret_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="ATD_SECRET_KEY_FILE"):
        load_settings(env={"ATD_SECRET_KEY_FILE": str(tmp_path / "absent")})


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    """GIVEN no secret key WHEN the settings are completed twice THEN one key is generated,
    kept in the instance folder readable by its owner only, and reused."""
    settings = Settings(instance_dir=tmp_path / "instance")
    first = ensure_secret_key(settings)
    key_file = tmp_path / "instance" / "secret_key"
    assert len(first.secret_key) >= 32
    assert key_file.read_text(encoding="utf-8") == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert ensure_secret_key(settings).secret_key == first.secret_key
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["secret_key"]


def test_given_secret_key_is_kept_and_nothing_is_written(tmp_path):
    settings = Settings(instance_dir=tmp_path / "instance", secret_key="given")
    assert ensure_secret_key(settings) is settings
    assert not (tmp_path / "instance").exists()


def test_empty_secret_key_file_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="ATD_SECRET_KEY"):
        ensure_secret_key(Settings(instance_dir=tmp_path))
