"""Signing the charter, self-assessments and new versions. Each service is atomic and checks
who may act, under a row lock."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from centres.models import Centre
from charter.models import (
    STATEMENT_LENGTH,
    CharterVersion,
    Principle,
    Signature,
    SignatureStatus,
    Statement,
)
from offers.sanitize import clean_html

MAX_STATEMENT_LENGTH = STATEMENT_LENGTH


class CharterError(Exception):
    """A refused action, with a message for the person who asked."""


def _managed_centre(centre: Centre, by: User) -> Centre:
    locked = Centre.objects.managed_by(by).select_for_update(of=("self",)).filter(pk=centre.pk)
    centre = locked.first()
    if centre is None:
        raise CharterError(_("Only a manager of the centre may sign the charter for it."))
    return centre


@transaction.atomic
def sign(*, centre: Centre, by: User) -> Signature:
    """A centre manager signs the version in force for the centre; who and when are kept."""
    centre = _managed_centre(centre, by)
    version = CharterVersion.objects.current()
    if version is None:
        raise CharterError(_("No version of the charter is published yet."))
    if Signature.objects.filter(centre=centre, version=version).exists():
        raise CharterError(_("The centre has already signed this version of the charter."))
    return Signature.objects.create(
        version=version,
        centre=centre,
        signed_on=timezone.localdate(),
        signed_by=by,
        signatory_name=by.get_full_name() or by.email,
        status=SignatureStatus.SIGNED,
    )


@transaction.atomic
def save_statements(*, signature: Signature, texts: dict[int, str], by: User) -> int:
    """Propose the centre's statements per principle; each waits for an administrator.

    ``texts`` maps principle ids of the signed version to rich text; an empty text removes
    the statement. Returns how many statements now wait for review.
    """
    _managed_centre(signature.centre, by)
    principles = {p.pk: p for p in Principle.objects.filter(version=signature.version_id)}
    waiting = 0
    for principle_id, raw in texts.items():
        principle = principles.get(principle_id)
        if principle is None:
            raise CharterError(_("That principle is not part of the version you signed."))
        text = clean_html(raw).strip()
        if len(text) > MAX_STATEMENT_LENGTH:
            raise CharterError(
                _("A statement has at most %(count)d characters.") % {"count": MAX_STATEMENT_LENGTH}
            )
        existing = Statement.objects.filter(signature=signature, principle=principle).first()
        if not text:
            if existing:
                existing.delete()
            continue
        if existing and existing.text == text:
            waiting += existing.status == Statement.Status.PENDING
            continue
        Statement.objects.update_or_create(
            signature=signature,
            principle=principle,
            defaults={"text": text, "status": Statement.Status.PENDING, "updated_by": by},
        )
        waiting += 1
    return waiting


def _require_staff(by: User) -> None:
    if not (by.is_authenticated and by.is_active and by.is_staff):
        raise CharterError(_("Only administrators may do this."))


@transaction.atomic
def approve_statement(*, statement: Statement, by: User) -> Statement:
    _require_staff(by)
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    statement.published_text = clean_html(statement.text)
    statement.status = Statement.Status.APPROVED
    statement.reviewed_at = timezone.now()
    statement.save()
    return statement


@transaction.atomic
def reject_statement(*, statement: Statement, by: User) -> Statement:
    _require_staff(by)
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    statement.status = Statement.Status.REJECTED
    statement.reviewed_at = timezone.now()
    statement.save()
    return statement


@transaction.atomic
def publish_version(*, version: CharterVersion, by: User) -> CharterVersion:
    """Publish a new version: earlier signatures stay as signed, now "invited to re-sign";
    the centres' managers are e-mailed once each, after commit."""
    _require_staff(by)
    version = CharterVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == CharterVersion.Status.PUBLISHED:
        raise CharterError(_("This version is already published."))
    if not version.principles.exists():
        raise CharterError(_("Add the version's principles before publishing it."))
    version.status = CharterVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save()
    Signature.objects.filter(status=SignatureStatus.SIGNED).exclude(version=version).update(
        status=SignatureStatus.INVITED
    )
    from charter.tasks import invite_to_resign

    transaction.on_commit(lambda: invite_to_resign.delay(version.pk))
    return version
