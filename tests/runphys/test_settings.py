"""The settings module: safe defaults, loud production failures, zero deploy warnings."""

import os
import subprocess
import sys

from tests.helpers import PRODUCTION, ROOT, SETUP, run_python


def test_development_defaults_are_sqlite_eml_file_email_and_no_debug():
    result = run_python(SETUP + "print(s.DATABASES['default']['ENGINE'], s.MAILERS['default']['BACKEND'], s.DEBUG)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "runphys.mail_files.EmlFileBackend", "False"]


def test_postgres_url_gives_psycopg_with_a_pool():
    result = run_python(SETUP + "d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], 'pool' in d['OPTIONS'])",
                        DATABASE_URL="postgres://postgres@127.0.0.1:5432/runphys")
    assert result.stdout.split() == ["django.db.backends.postgresql", "runphys", "True"], result.stderr


def test_production_smtp_mailer_comes_from_the_environment():
    mailer = "o = s.MAILERS['default']['OPTIONS']; print(o['host'], o['port'], o['use_tls'], o['timeout'])"
    result = run_python(SETUP + mailer, **PRODUCTION, EMAIL_PORT="2525", EMAIL_TIMEOUT="9")
    assert result.stdout.split() == ["smtp.example", "2525", "True", "9.0"], result.stderr


def test_production_refuses_the_development_secret_key():
    env = dict(PRODUCTION)
    del env["DJANGO_SECRET_KEY"]
    result = run_python(SETUP, **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_python(SETUP, **(PRODUCTION | {"DJANGO_ALLOWED_HOSTS": ""}))
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_debug():
    result = run_python(SETUP, **(PRODUCTION | {"DJANGO_DEBUG": "1"}))
    assert result.returncode != 0 and "DJANGO_DEBUG" in result.stderr


def test_check_deploy_under_production_settings_prints_no_warning():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=clean | PRODUCTION, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_sending_claim_lasts_a_few_smtp_time_outs_and_the_send_ends_one_time_out_before_it():
    lease = ("o = s.MAILERS['default']; print(o['BACKEND'], s.EMAIL_SENDING_LEASE.total_seconds(), "
             "o['OPTIONS']['deadline'])")
    result = run_python(SETUP + lease, **PRODUCTION, EMAIL_TIMEOUT="10")
    assert result.stdout.split() == ["runphys.mail_smtp.EmailBackend", "40.0", "30.0"], result.stderr
    result = run_python(SETUP + lease, **PRODUCTION, EMAIL_TIMEOUT="10", EMAIL_SENDING_LEASE_SECONDS="90")
    assert result.stdout.split() == ["runphys.mail_smtp.EmailBackend", "90.0", "80.0"], result.stderr
    result = run_python(SETUP, **PRODUCTION, EMAIL_TIMEOUT="10", EMAIL_SENDING_LEASE_SECONDS="15")
    assert result.returncode != 0
    assert "EMAIL_SENDING_LEASE_SECONDS must be at least twice EMAIL_TIMEOUT" in result.stderr
