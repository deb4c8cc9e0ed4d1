"""Junk in the query string never breaks a page: no GET of the portal answers 5xx.

Every page a browser can GET is listed in ``PAGES``, with who signs in to see it and the
forms (or FilterSets) it reads its parameters with; a URL added to any ``urls.py`` and not
listed fails ``test_every_page_of_the_portal_is_swept``. The parameters are the forms' own
fields, so a parameter added to one of them is swept without more work.

Each page, in French, Dutch and English in turn, gets:
- every value of ``JUNK`` (huge, negative, NaN and infinite numbers, years 0, 9999 and
  10000, NUL and control characters, very long strings, unicode digits like "²" and "١",
  empty values) in every known parameter, and each date parameter alone with each value of
  ``NUMBERS_AND_DATES``; every failure is collected before the test reports;
- hypothesis-generated query strings: known and unknown parameters, repeated ones, junk,
  values the page can use, arbitrary text.
A 4xx or a corrected 200 is fine; a 5xx or an exception is not. The database is the real
one; the signed-in pages are seen by the roles that may see them (a counsellor, a manager,
an administrator, the account a team invitation is addressed to), and
``test_each_page_is_seen_by_its_roles`` checks that they really do, so the junk reaches the
page's code rather than a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from centres.filters import CentreFilter
from centres.models import Invitation, Role
from charter.forms import SignatoriesForm
from guidance_portal.query import PageForm
from offers.bookings import manage_code
from offers.filters import SearchForm
from offers.forms import OfferListForm
from offers.indexing import index_offers
from offers.models import Booking, BookingStatus, Offer, OfferRevision, Session
from tests.charter.test_charter import make_version
from tests.factories import (
    CentreFactory,
    MembershipFactory,
    OfferFactory,
    PostalCodeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LANGUAGES = ("fr", "nl", "en")


@dataclass(frozen=True)
class Page:
    """A page to sweep: the URL's arguments, who looks at it, the forms it reads GET with."""

    kwargs: Callable[[World], dict] = lambda world: {}
    roles: tuple[str, ...] = ("anonymous",)
    forms: tuple[type, ...] = ()
    extra: tuple[str, ...] = ()  # parameters read without a form (Django's own views)

    @property
    def parameters(self) -> list[str]:
        names: list[str] = []
        for form in self.forms:
            fields = getattr(form, "base_filters", None) or form.base_fields
            names += [name for name in fields if name not in names]
        return names + [name for name in self.extra if name not in names]


SEARCH = (SearchForm, PageForm)
OFFER = lambda world: {"pk": world.offer.pk}  # noqa: E731
SESSION = lambda world: {"pk": world.offer.pk, "session_id": world.session.pk}  # noqa: E731
CENTRE = lambda world: {"slug": world.centre.slug}  # noqa: E731
WORKSPACE = ("counsellor", "admin")

PAGES: dict[str, Page] = {
    "home": Page(),
    "accessibility": Page(),
    "privacy": Page(),
    "legal": Page(),
    "accounts:login": Page(extra=("next",)),
    "accounts:password_reset": Page(),
    "accounts:password_reset_done": Page(),
    "accounts:password_reset_complete": Page(),
    "accounts:password_reset_confirm": Page(lambda w: {"uidb64": "MQ", "token": "set-password"}),
    "centres:directory": Page(forms=(CentreFilter, PageForm)),
    "centres:cites": Page(),
    "centres:detail": Page(CENTRE),
    "centres:dashboard": Page(roles=WORKSPACE),
    "centres:edit": Page(CENTRE, roles=WORKSPACE),
    "centres:history": Page(CENTRE, roles=("manager", "admin")),
    "centres:team": Page(CENTRE, roles=("manager", "admin")),
    "centres:invitation": Page(lambda w: {"token": w.invitation.token}, roles=("invitee",)),
    "charter:charter": Page(forms=(SignatoriesForm,)),
    "charter:version": Page(lambda w: {"pk": w.version.pk}),
    "charter:manage": Page(CENTRE, roles=("manager", "counsellor")),
    "offers:search": Page(forms=SEARCH),
    "offers:agenda": Page(forms=SEARCH),
    "offers:agenda_calendar": Page(forms=(SearchForm,)),
    "offers:feed": Page(),
    "offers:detail": Page(OFFER),
    "offers:session_calendar": Page(SESSION),
    "offers:book": Page(SESSION),
    "offers:booking": Page(lambda w: {"code": manage_code(w.booking)}),
    "offers:manage_list": Page(roles=WORKSPACE, forms=(OfferListForm,)),
    "offers:manage_create": Page(roles=WORKSPACE),
    "offers:manage_detail": Page(OFFER, roles=WORKSPACE),
    "offers:manage_edit": Page(OFFER, roles=WORKSPACE),
    "offers:session_bookings": Page(SESSION, roles=WORKSPACE),
    "offers:export_bookings": Page(SESSION, roles=WORKSPACE),
    "offers:moderation": Page(roles=("admin",)),
    "offers:review_offer": Page(lambda w: {"pk": w.submitted.pk}, roles=("admin",)),
    "offers:review_edit": Page(lambda w: {"pk": w.revision.pk}, roles=("admin",)),
}
NOT_SWEPT = {
    "healthz": "a machine check outside the languages, 503 by design when a service is down",
    "set_language": "Django's language switch, POST only",
    "accounts:logout": "POST only",
    "centres:remove_member": "POST only",
    "centres:withdraw_invitation": "POST only",
    "offers:session_move": "POST only",
    "offers:manage_duplicate": "POST only",
    "offers:manage_action": "POST only",
    "offers:session_add": "POST only",
    "offers:session_cancel": "POST only",
    "offers:cancel_booking": "POST only",
}
NOT_SWEPT_NAMESPACES = {"admin": "Django's admin, which checks its own lookups (?e=1)"}

# Values that reach the arithmetic of numbers and dates.
NUMBERS_AND_DATES = [
    "",
    "0",
    "-1",
    "1.5",
    "-99999999999999999999",
    "9" * 40,
    "9" * 5000,  # more digits than int() accepts
    "1e400",
    "NaN",
    "-Infinity",
    "0000-01-01",
    "0001-01-01",
    "2026-02-30",
    "9999-12-30",
    "9999-12-31",
    "10000-01-01",
    "9999-12-31T23:59",
    "²",
    "١٢",
    "𝟗",
]
JUNK = [
    *NUMBERS_AND_DATES,
    " ",
    "1e308",
    "inf",
    "0x1F",
    "1900-02-29",
    "-2026-01-01",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\r\nSet-Cookie: x=1",
    "\u2028\u202e\ufeff",
    "١",
    "Ⅻ",
    "½",
    "x" * 10_000,
    "é" * 3000,
    "🙂" * 50,
    "%",
    "%00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "on",
    "[]",
]


@dataclass
class World:
    """One of everything the pages show, and a signed-in client per role."""

    centre: object
    offer: Offer
    session: Session
    booking: Booking
    submitted: Offer
    revision: OfferRevision
    version: object
    invitation: Invitation
    clients: dict[str, Client] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """Built once for the module, in a transaction rolled back at its end (each test runs in
    a savepoint inside it); the GETs write nothing but the signed-in clients' sessions."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> World:
    PostalCodeFactory()
    centre = CentreFactory(name="Cité des Métiers de Namur", cite=True)
    no_password = {"user__password": "!"}  # unusable: the clients sign in with force_login
    manager = MembershipFactory(centre=centre, manager=True, **no_password).user
    counsellor = MembershipFactory(centre=centre, **no_password).user
    admin = UserFactory(staff=True, password="!")
    offer = OfferFactory(
        centre=centre,
        published=True,
        title="Atelier CV",
        created_by=counsellor,
        booking_need="required",
    )
    starts = timezone.now() + timedelta(days=3)
    session = Session.objects.create(
        offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=10
    )
    booking = Booking.objects.create(
        session=session,
        first_name="Camille",
        email="camille@example.org",
        places=1,
        status=BookingStatus.CONFIRMED,
        token="t" * 40,
    )
    submitted = OfferFactory(centre=centre, submitted=True, created_by=counsellor)
    revision = OfferRevision.objects.create(
        offer=offer, data={"title_fr": "Atelier CV et lettre"}, proposed_by=counsellor
    )
    invitee = UserFactory(password="!")
    invitation = Invitation.objects.create(
        centre=centre, user=invitee, email=invitee.email, role=Role.COUNSELLOR, invited_by=manager
    )
    index_offers([offer.pk])
    world = World(centre, offer, session, booking, submitted, revision, make_version(), invitation)
    world.clients["anonymous"] = Client()
    signed_in = (
        ("manager", manager),
        ("counsellor", counsellor),
        ("admin", admin),
        ("invitee", invitee),
    )
    for role, user in signed_in:
        world.clients[role] = Client()
        world.clients[role].force_login(user)
    return world


def url_of(name: str, language: str, world: World) -> str:
    with translation.override(language):
        return reverse(name, kwargs=PAGES[name].kwargs(world))


def fetch(world: World, role: str, url: str, pairs: list[tuple[str, str]]) -> str | None:
    """GET the URL with the parameters; a description of the failure, or None when fine."""
    query = urlencode(pairs)
    try:
        response = world.clients[role].get(f"{url}?{query}" if query else url)
    except Exception as error:  # the test client re-raises what the view raised
        return f"{role} GET {url}?{query[:120]}: {type(error).__name__}: {str(error)[:200]}"
    if response.status_code >= 500:
        return f"{role} GET {url}?{query[:120]}: {response.status_code}"
    return None


def _url_names(patterns, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner in NOT_SWEPT_NAMESPACES:
                continue
            prefix = f"{namespace}{inner}:" if inner else namespace
            names |= _url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_of_the_portal_is_swept():
    names = _url_names(get_resolver().url_patterns)
    assert names - PAGES.keys() - NOT_SWEPT.keys() == set(), "add the new URL to PAGES"
    assert PAGES.keys() - names == set()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_is_seen_by_its_roles(world, name):
    for role in PAGES[name].roles:
        response = world.clients[role].get(url_of(name, "fr", world))
        assert response.status_code == 200, (role, response.status_code)


def _bounds(declared) -> tuple[type, object, object]:
    """A form field's class and bounds; a django-filter filter keeps them for its field."""
    if hasattr(declared, "field_class"):
        extra = declared.extra
        return declared.field_class, extra.get("min_value"), extra.get("max_value")
    return (
        type(declared),
        getattr(declared, "min_value", None),
        getattr(declared, "max_value", None),
    )


def test_every_number_read_from_a_query_string_is_bounded():
    numbers = (forms.IntegerField, forms.DecimalField, forms.FloatField)
    checked = 0
    for page in PAGES.values():
        for form in page.forms:
            fields = getattr(form, "base_filters", None) or form.base_fields
            for name, declared in fields.items():
                field_class, low, high = _bounds(declared)
                if issubclass(field_class, numbers):
                    checked += 1
                    assert low is not None and high is not None, f"{form.__name__}.{name}"
    assert checked >= 3  # the radius of the search and the directory, the page numbers


def test_each_junk_value_in_each_parameter_of_each_page_is_not_a_server_error(world):
    """Request k sets parameter i to ``JUNK[(k + i) % len(JUNK)]``: in ``len(JUNK)`` requests
    a page gets every value in every parameter, beside the others' junk; then each value of
    ``NUMBERS_AND_DATES`` alone in the parameters that read dates, whose meaning depends on
    each other (a start and an end), where a neighbour's junk could hide the value's own
    path. Every failure is collected before the test reports."""
    failures: list[str] = []
    requests = 0
    for name, page in PAGES.items():
        parameters = page.parameters
        if not parameters:
            continue
        queries = [
            [(parameter, JUNK[(k + i) % len(JUNK)]) for i, parameter in enumerate(parameters)]
            for k in range(len(JUNK))
        ]
        queries += [
            [(parameter, value)] for parameter in alone(page) for value in NUMBERS_AND_DATES
        ]
        for k, pairs in enumerate(queries):
            language, role = LANGUAGES[k % len(LANGUAGES)], page.roles[k % len(page.roles)]
            requests += 1
            failure = fetch(world, role, url_of(name, language, world), pairs)
            if failure:
                failures.append(failure)
    assert requests > 300
    assert failures == []


def alone(page: Page) -> list[str]:
    """The parameters read as dates."""
    names = []
    for form in page.forms:
        fields = getattr(form, "base_filters", None) or form.base_fields
        for name, declared in fields.items():
            field_class = _bounds(declared)[0]
            if issubclass(field_class, forms.DateField):
                names.append(name)
    return names


def plausible(page: Page) -> list[str]:
    """Values a page can use, so that junk in one parameter meets others that work."""
    values = ["1", "2", "15", "5000", "Namur", "namur", "choose-a-direction", "workshop"]
    values.append(timezone.localdate().isoformat())
    for form in page.forms:
        fields = getattr(form, "base_filters", None) or form.base_fields
        for declared in fields.values():
            choices = getattr(declared, "choices", None) or getattr(declared, "extra", {}).get(
                "choices"
            )
            if isinstance(choices, list | tuple):
                values += [str(value) for value, _label in choices if value]
    return sorted(set(values))


def query_strings(page: Page):
    """Lists of (name, value): known and unknown names, repeated ones, junk or good values."""
    parameters = page.parameters
    names = st.sampled_from(parameters) if parameters else st.nothing()
    unknown = st.text(min_size=1, max_size=20) | st.sampled_from(["utm_source", "page[]", "q\x00"])
    values = (
        st.sampled_from(JUNK)
        | st.sampled_from(plausible(page))
        | st.text(max_size=60)
        | st.integers().map(str)
        | st.floats().map(str)
        | st.dates().map(str)
        | st.from_regex(r"-?\d{1,6}-\d{1,2}-\d{1,2}", fullmatch=True)
    )
    return st.lists(st.tuples(names | unknown, values), max_size=8)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_generated_query_strings_are_never_a_server_error(world, name):
    page = PAGES[name]
    examples = 30 if page.parameters else 5

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        language=st.sampled_from(LANGUAGES),
        role=st.sampled_from(page.roles),
        pairs=query_strings(page),
    )
    def sweep(language, role, pairs):
        assert fetch(world, role, url_of(name, language, world), pairs) is None

    sweep()
