"""Test harness on the real stack: PostgreSQL, Redis, a Celery worker, an SMTP server and
Chromium. Nothing of ours is mocked; each fixture starts the real thing on loopback.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import redis as redis_lib
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.test.utils import override_settings

# Playwright's sync API runs an event loop in the test thread; Django's ORM is then
# used from the same thread between browser calls, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True, scope="session")
def _plain_static_storage() -> Iterator[None]:
    """Serve unhashed static names: the live server reads static/ directly, not a manifest."""
    storages = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _fresh_vocabularies() -> None:
    """The search form's taxonomies are cached in Redis, which a test's rollback does not
    reach: a term a previous test created must not be offered in this one."""
    from django.core.cache import cache

    from offers.filters import VOCABULARIES_CACHE_KEY

    cache.delete(VOCABULARIES_CACHE_KEY)


@pytest.fixture(autouse=True)
def _built_search_index(request) -> None:
    """Every database test starts with an empty register whose (empty) search index is
    built, as after ``rebuild_search_index``; a test of a never-built index deletes it.
    The "rebuild queued" flag lives in Redis, which no rollback reaches: it is cleared."""
    from django.core.cache import cache

    from offers.tasks import REBUILD_QUEUED_KEY

    cache.delete(REBUILD_QUEUED_KEY)
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db"}:
        return
    is_transactional = "transactional_db" in names or bool(
        marker and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if is_transactional else "db")
    from pyroaring import BitMap

    from offers.models import SearchBitmap

    empty = BitMap().serialize()
    SearchBitmap.objects.bulk_create(
        [SearchBitmap(key="built", data=empty), SearchBitmap(key="all", data=empty)],
        ignore_conflicts=True,
    )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language: a request to /nl/ in an earlier test
    leaves Dutch active in this thread, and reverse() would build Dutch URLs."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def wait_for() -> Callable[..., None]:
    """Wait on a condition with a bound, instead of sleeping."""

    def wait(condition: Callable[[], object], *, timeout: float = 10, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout} s waiting for {what or condition}")
            time.sleep(0.05)

    return wait


# Redis ------------------------------------------------------------------------------------


@pytest.fixture
def redis_client() -> Iterator[redis_lib.Redis]:
    client = redis_lib.Redis.from_url(django_settings.REDIS_URL)
    client.ping()
    yield client
    client.close()


# Celery -----------------------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[object]:
    """A real Celery worker (solo pool, in a thread) consuming from the real Redis broker.

    Tests that use it need committed data, hence ``transactional_db``.
    """
    from celery.contrib.testing import tasks  # noqa: F401 - registers celery.ping
    from celery.contrib.testing.worker import start_worker

    from guidance_portal.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=True) as worker:
        yield worker


# SMTP -------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """Messages received by the loopback SMTP server, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        with self._lock:
            return [str(message["Subject"]) for message in self.messages]


@pytest.fixture
def smtp_server(settings) -> Iterator[Mailbox]:
    """An aiosmtpd server on loopback; Django's SMTP backend is pointed at it."""
    mailbox = Mailbox()
    with socket.socket() as probe:  # aiosmtpd needs a concrete port to check it is up
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.controller, mailbox.port = controller, port  # a test may stop and restart it
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield mailbox
    if getattr(mailbox.controller, "_thread", None) is not None:
        mailbox.controller.stop()


# Browser ----------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale="fr-BE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


class AccessibilityError(AssertionError):
    pass


@pytest.fixture(scope="session")
def assert_accessible() -> Callable[[object], None]:
    """Run axe-core on the page; fail on any violation with a readable list."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> None:
        results = axe.run(page)
        violations = results.response["violations"]
        if violations:
            lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
            for violation in violations:
                lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
                for node in violation["nodes"][:5]:
                    lines.append(f"    {', '.join(map(str, node['target']))}")
                    lines.append(f"      {node['failureSummary'].splitlines()[-1].strip()}")
            raise AccessibilityError("\n".join(lines))

    return check
