"""The embedded services: data kept between runs, stale locks and busy ports explained."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def embedded(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "EMBEDDED_DATA_DIR": str(data_dir), **env}
    return subprocess.run(
        [sys.executable, "-m", "guidance_portal.embedded", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def data_dir(tmp_path):
    yield tmp_path
    embedded(tmp_path, "stop")


def test_busy_port_gives_a_clear_message(data_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = embedded(data_dir, "run", "--port", str(port), "--", "true")

    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is already in use; stop what uses it or set WEB_PORT"
    )


def test_redis_stale_lock_is_cleared_and_said(data_dir):
    (data_dir / "redis").mkdir()
    (data_dir / "redis" / "redis.pid").write_text("4194303\n")  # above pid_max: never alive

    done = embedded(
        data_dir,
        "run",
        "--",
        sys.executable,
        "-c",
        "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).set('k', 'v')",
        DATABASE_URL="postgres://unused@127.0.0.1/unused",
        REDIS_URL="",
    )

    assert done.returncode == 0, done.stderr
    assert "removed a stale lock" in done.stderr
    assert not (data_dir / "redis" / "redis.pid").exists()  # stopped again on exit


def test_postgres_keeps_its_data_between_runs_and_stops_on_exit(data_dir):
    write = (
        "import os, psycopg; c = psycopg.connect(os.environ['DATABASE_URL'].replace("
        "'postgres://', 'postgresql://'), autocommit=True); "
        "c.execute('CREATE TABLE kept (n int)'); c.execute('INSERT INTO kept VALUES (42)')"
    )
    read = (
        "import os, psycopg; c = psycopg.connect(os.environ['DATABASE_URL'].replace("
        "'postgres://', 'postgresql://')); print(c.execute('SELECT n FROM kept').fetchone()[0])"
    )
    env = {"DATABASE_URL": "", "REDIS_URL": "redis://127.0.0.1:1/0"}

    first = embedded(data_dir, "run", "--", sys.executable, "-c", write, **env)
    assert first.returncode == 0, first.stderr
    assert not (data_dir / "postgres" / "postmaster.pid").exists()

    second = embedded(data_dir, "run", "--", sys.executable, "-c", read, **env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "42"
