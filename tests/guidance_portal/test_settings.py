"""Start-up configuration: bad values stop the process with one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "9f8e7d6c5b4a3z2y1x0w" + "QWERTYUIOPASDFGHJ"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE belongs to the browser tests' process, not to a deployment.
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("DATABASE_URL", "mysql://user@localhost/db"),
        ("DEBUG", "maybe"),
        ("REDIS_URL", "http://localhost"),
        ("EMAIL_URL", "nonsense"),
        ("SITE_URL", "not a url"),
    ],
)
def test_bad_value_stops_start_up_with_one_line_naming_it(variable, value):
    done = manage("check", **{"DEBUG": "true", variable: value})

    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert variable in lines[0]
    assert "Traceback" not in done.stderr


def test_production_refuses_to_start_without_a_secret_key():
    done = manage("check", DEBUG="false", SECRET_KEY="", ALLOWED_HOSTS="portal.example.org")

    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr.strip().splitlines()[0]


def test_production_refuses_a_weak_secret_key():
    done = manage("check", DEBUG="false", SECRET_KEY="short", ALLOWED_HOSTS="portal.example.org")

    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    done = manage("check", DEBUG="false", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="")

    assert done.returncode != 0
    assert "ALLOWED_HOSTS" in done.stderr.strip().splitlines()[0]


def test_check_deploy_reports_nothing_under_production_settings():
    done = manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="orientation.example.be",
        SITE_URL="https://orientation.example.be",
    )

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_ssl_redirect_can_be_switched_off_behind_a_proxy():
    done = manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER)",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="orientation.example.be",
        SECURE_SSL_REDIRECT="false",
        BEHIND_HTTPS_PROXY="true",
    )

    assert done.returncode == 0, done.stderr
    assert "False ('HTTP_X_FORWARDED_PROTO', 'https')" in done.stdout
