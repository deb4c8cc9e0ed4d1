"""Benchmarks that print figures (``make bench``); nothing here passes or fails.

Each benchmark runs against the real PostgreSQL and Redis of the current environment
(embedded by default) on a migrated database. Figures: requests per second and latency
percentiles through Django's full middleware stack, without a network hop.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

import django


def measure(name: str, call: Callable[[], object], *, runs: int = 300, warmup: int = 20) -> None:
    for _ in range(warmup):
        call()
    timings = []
    started = time.perf_counter()
    for _ in range(runs):
        begin = time.perf_counter()
        call()
        timings.append((time.perf_counter() - begin) * 1000)
    elapsed = time.perf_counter() - started
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{name:<48} {runs / elapsed:8.0f} req/s   median {statistics.median(timings):6.2f} ms"
        f"   p95 {p95:6.2f} ms   max {timings[-1]:6.2f} ms"
    )


def pages() -> None:
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    client = Client()
    paths = []
    for language, name in (("fr", "home"), ("nl", "privacy"), ("en", "accessibility")):
        with translation.override(language):
            paths.append(reverse(name))
    for path in [*paths, "/healthz"]:
        status = client.get(path).status_code
        measure(f"GET {path} ({status})", lambda path=path: client.get(path))


def main(arguments: list[str]) -> int:
    """Run the benchmarks (all, or those named) in a throw-away database, then drop it.

    ``--offers=N`` sets the size of the search benchmark's register (100,000 by default).
    """
    only = [argument for argument in arguments if not argument.startswith("--")]
    for argument in arguments:
        if argument.startswith("--offers="):
            os.environ["SEARCH_OFFERS"] = str(int(argument.removeprefix("--offers=")))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidance_portal.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    from bench import bookings, directory, search

    setup_test_environment()
    # A name of its own, so a benchmark never drops the database a test run (or a benchmark
    # of another size) is using.
    size = os.environ.get("SEARCH_OFFERS", "100000")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        f"bench_{connection.settings_dict['NAME']}_{size}"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        print(f"PostgreSQL {connection.pg_version // 10000}, Redis at {settings.REDIS_URL}")
        with override_settings(STORAGES=plain_static, DEBUG=False):
            for name, run in (
                ("pages", pages),
                ("directory", directory.run),
                ("search", search.run),
                ("bookings", bookings.run),
            ):
                if not only or name in only:
                    print(f"\n== {name} ==")
                    run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
