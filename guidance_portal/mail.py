"""Send this templated e-mail once: the one way the project sends mail.

Every e-mail owed to someone is a row of a model built on ``OwedEmail`` (a booking
confirmation, a review digest, a password reset…). A kind of e-mail is declared once, by the
function that says what to send for a row::

    @mail.sender(ModerationNotice, related=["recipient", "offer"])
    def send_moderation_notice(notice: ModerationNotice) -> mail.Email | None:
        return mail.Email(to=..., language=..., template="offers/email/moderation", ...)

The decorator turns it into the Celery task that sends one row, given its id, and registers
the kind with the periodic sweep. Sending a row:

1. **Claim**: lock the row (``SELECT … FOR UPDATE SKIP LOCKED``) if it is neither sent nor
   failed nor waiting for a retry, count the attempt and commit. The count survives whatever
   follows, so a message that keeps failing, even one that kills the worker, stops after
   ``MAX_ATTEMPTS``.
2. **Send**: lock it again; the kind's function builds the e-mail (``None``: nothing is owed
   any more); the subject (one line), text and HTML are rendered in the recipient's language
   and sent, and ``sent_at`` is stamped in the same transaction. A second run finds the row
   stamped, or locked, and does nothing.
3. **Or record the failure**: a transient one (network, SMTP 4xx, the database) sets the next
   attempt after a growing, bounded delay; any other (a header with a line break, a template
   or encoding error, a recipient or message refused with 5xx) marks the row failed at once,
   with the reason, as does the last allowed attempt. A failed row is never sent or queued
   again unless an administrator asks (the admin's "Try again").

``sweep`` queues, for each kind, the rows that are owed and due (beat runs
``send_owed_emails`` every minute): a row's first sending when its task was lost, the
reminders when their time comes, the retries. It is bounded (``SWEEP_LIMIT`` rows per kind),
and a queued row is not queued again for ``QUEUE_LEASE`` unless its task started.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q, QuerySet
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules

from guidance_portal.models import FAILURE_REASON_LENGTH, OwedEmail
from guidance_portal.validators import one_line, without_controls

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)  # then twice as long each time, at most LONGEST_WAIT:
LONGEST_WAIT = timedelta(hours=1)  # the tenth attempt comes about four hours after the first
QUEUE_LEASE = timedelta(minutes=10)
SWEEP_LIMIT = 500
SUBJECT_LENGTH = 200


class Outcome(StrEnum):
    SENT = "sent"
    NOTHING_OWED = "nothing owed"
    SKIPPED = "skipped"  # sent, failed, waiting for a retry or being sent by another worker
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Email:
    """What to send: ``template`` names ``<template>_subject.txt``, ``<template>.txt`` and,
    with ``html``, ``<template>.html``, rendered with ``context`` in ``language``."""

    to: str
    language: str
    template: str
    context: Mapping[str, object] = field(default_factory=dict)
    html: bool = True
    attachments: Sequence[Attachment] = ()

    def message(self) -> EmailMultiAlternatives:
        context = {**self.context, "LANGUAGE_CODE": self.language}
        with translation.override(self.language):
            subject = one_line(_render_plain(f"{self.template}_subject.txt", context))
            message = EmailMultiAlternatives(
                one_line(subject, limit=SUBJECT_LENGTH),
                without_controls(_render_plain(f"{self.template}.txt", context)),
                to=[self.to],
            )
            if self.html:
                html = get_template(f"{self.template}.html").render(context)
                message.attach_alternative(without_controls(html), "text/html")
        for attachment in self.attachments:
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
        return message


def _render_plain(name: str, context: dict) -> str:
    """A plain-text template, without HTML escaping: "&" stays "&" in a subject or a text."""
    return get_template(name).template.render(Context(context, autoescape=False))


def link(language: str, viewname: str, **kwargs: object) -> str:
    """An absolute link to one of our pages, in the recipient's language."""
    with translation.override(language):
        return settings.SITE_URL + reverse(viewname, kwargs=kwargs or None)


# Kinds of e-mail ---------------------------------------------------------------------------


@dataclass
class Kind:
    model: type[OwedEmail]
    compose: Callable[[OwedEmail], Email | None]
    related: tuple[str, ...] = ()
    due: Callable[[], Q] | None = None
    task: object = None

    @property
    def name(self) -> str:
        return self.model._meta.label

    def owed(self) -> QuerySet:
        """Rows not sent and not failed (and due, for a kind with a ``due`` condition)."""
        rows = self.model._default_manager.filter(sent_at__isnull=True, failed_at__isnull=True)
        return rows.filter(self.due()) if self.due else rows

    def queue(self, ids: Iterable[int]) -> None:
        """Queue the sending of these rows once the current transaction commits."""
        ids = list(ids)
        if ids:
            transaction.on_commit(lambda: _delay(self.task, ids))


_KINDS: dict[str, Kind] = {}


def _delay(task, ids: list[int]) -> None:
    for pk in ids:
        task.delay(pk)


def sender(
    model: type[OwedEmail], *, related: Sequence[str] = (), due: Callable[[], Q] | None = None
):
    """Declare a kind of e-mail: ``compose(row)`` returns the ``Email`` owed for a locked row,
    or ``None`` when nothing is owed any more (it may then delete the row). ``due()``, if
    given, is the condition a row must meet to be sent now (its time has come, the thing it
    announces is still open); a row that does not meet it is neither claimed nor swept, and
    stays unsent. Returns the Celery task that sends one row by id."""

    def declare(compose: Callable) -> object:
        kind = Kind(model=model, compose=compose, related=tuple(related), due=due)

        def send(pk: int) -> str:
            return send_once(kind, pk)

        send.__doc__ = compose.__doc__
        kind.task = shared_task(name=f"{compose.__module__}.{compose.__name__}", acks_late=True)(
            send
        )
        kind.task.kind = kind
        _KINDS[kind.name] = kind
        return kind.task

    return declare


def kinds() -> list[Kind]:
    """Every kind of e-mail of the project (each app declares its own in its tasks)."""
    autodiscover_modules("tasks")
    return list(_KINDS.values())


def kind_of(model: type[OwedEmail]) -> Kind:
    return next(kind for kind in kinds() if kind.model is model)


# Sending -----------------------------------------------------------------------------------


def send_once(kind: Kind, pk: int) -> Outcome:
    """Send the row's e-mail unless it is sent, failed, waiting or being sent elsewhere."""
    attempts = _claim(kind, pk)
    if attempts is None:
        return Outcome.SKIPPED
    if attempts > MAX_ATTEMPTS:  # earlier attempts died without saying why
        return _fail(kind, pk, f"no answer after {MAX_ATTEMPTS} attempts")
    try:
        with transaction.atomic():
            row = (
                _ready(kind)
                .select_related(*kind.related)
                .select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk)
                .first()
            )
            if row is None:
                return Outcome.SKIPPED
            email = kind.compose(row)
            if email is not None:
                email.message().send()
            kind.model._default_manager.filter(pk=pk).update(
                sent_at=timezone.now(), failure_reason=""
            )
    except Exception as error:  # every failure is recorded on the row, none is lost
        return _failed_attempt(kind, pk, attempts, error)
    return Outcome.SENT if email is not None else Outcome.NOTHING_OWED


def _ready(kind: Kind) -> QuerySet:
    """Owed rows whose retry, if any, is due."""
    now = timezone.now()
    return kind.owed().filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _claim(kind: Kind, pk: int) -> int | None:
    """Count an attempt on the row, in its own committed transaction; None if not ready."""
    with transaction.atomic():
        attempts = (
            _ready(kind)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk)
            .values_list("attempts", flat=True)
            .first()
        )
        if attempts is None:
            return None
        kind.model._default_manager.filter(pk=pk).update(
            attempts=attempts + 1, last_attempt_at=timezone.now(), queued_at=None
        )
    return attempts + 1


def is_transient(error: BaseException) -> bool:
    """Whether the same e-mail may go through later: the network, the mail server's "try
    later" (4xx) or the database; not the message itself (its headers, its templates, a
    recipient or a content refused for good)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code < 500
    return isinstance(error, OSError | OperationalError | InterfaceError | SoftTimeLimitExceeded)


def _reason(error: BaseException) -> str:
    return one_line(f"{type(error).__name__}: {error}", limit=FAILURE_REASON_LENGTH)


def _failed_attempt(kind: Kind, pk: int, attempts: int, error: Exception) -> Outcome:
    reason = _reason(error)
    if is_transient(error) and attempts < MAX_ATTEMPTS:
        wait = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
        kind.model._default_manager.filter(pk=pk, sent_at__isnull=True).update(
            next_attempt_at=timezone.now() + wait, failure_reason=reason
        )
        logger.warning(
            "%s %s: attempt %d failed, next in %s: %s", kind.name, pk, attempts, wait, reason
        )
        return Outcome.RETRY
    if is_transient(error):
        reason = one_line(
            f"gave up after {attempts} attempts: {reason}", limit=FAILURE_REASON_LENGTH
        )
    return _fail(kind, pk, reason)


def _fail(kind: Kind, pk: int, reason: str) -> Outcome:
    kind.model._default_manager.filter(pk=pk, sent_at__isnull=True).update(
        failed_at=timezone.now(), failure_reason=reason, queued_at=None
    )
    logger.error("%s %s could not be sent: %s", kind.name, pk, reason)
    return Outcome.FAILED


# The sweep ---------------------------------------------------------------------------------


def sweep(kind: Kind, *, limit: int = SWEEP_LIMIT) -> int:
    """Queue up to ``limit`` rows of this kind that are owed, due and not queued lately.

    Idempotent: the rows are locked (``SKIP LOCKED``: two sweeps share them, a row being sent
    is left alone) and stamped ``queued_at``, so a second sweep does not queue them again.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            _ready(kind)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=now - QUEUE_LEASE))
            .order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        kind.model._default_manager.filter(pk__in=ids).update(queued_at=now)
        kind.queue(ids)
    return len(ids)


def sweep_all(*, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    return {kind.name: sweep(kind, limit=limit) for kind in kinds()}


def try_again(model: type[OwedEmail], ids: Iterable[int]) -> int:
    """An administrator asks to send these unsent rows again, from a fresh count."""
    kind = kind_of(model)
    with transaction.atomic():
        rows = model._default_manager.filter(pk__in=list(ids), sent_at__isnull=True)
        ids = list(rows.values_list("pk", flat=True))
        rows.update(
            failed_at=None, failure_reason="", attempts=0, next_attempt_at=None, queued_at=None
        )
        kind.queue(ids)
    return len(ids)
