"""Status workflow of offers: each transition is a service that checks who may do it.

draft → submitted → published → archived, and submitted → rejected (with a reason) → draft.
Edits to a published offer wait, as an OfferRevision, until an administrator approves them.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from offers.indexing import queue_reindex
from offers.models import ModerationNotice, Offer, OfferRevision, OfferStatus
from offers.models.offer import RevisionStatus
from offers.sanitize import clean_html

REVIEW_AFTER_DAYS = 180
M2M_FIELDS = ("themes", "audiences", "minimum_offer_categories")


class TransitionError(Exception):
    """A refused transition, with a message for the person who asked."""


def _notify(offer: Offer, recipient: User | None, decision: str, reason: str = "") -> None:
    """Owe the submitter an e-mail; the task sends it once, after commit."""
    if recipient is None:
        return
    notice = ModerationNotice.objects.create(
        offer=offer, recipient=recipient, decision=decision, reason=reason
    )
    from offers.tasks import send_moderation_notice

    transaction.on_commit(lambda: send_moderation_notice.delay(notice.pk))


def _locked(offer: Offer, queryset) -> Offer:
    """Re-read the offer under a row lock, through the access rule that applies."""
    locked = queryset.select_for_update(of=("self",)).filter(pk=offer.pk).first()
    if locked is None:
        raise TransitionError(_("You may not change this offer."))
    return locked


def _require(offer: Offer, *allowed: str) -> None:
    if offer.status not in allowed:
        raise TransitionError(
            _("This offer is “%(status)s”: that action is not possible now.")
            % {"status": offer.get_status_display()}
        )


def _require_staff(by: User) -> None:
    if not (by.is_authenticated and by.is_active and by.is_staff):
        raise TransitionError(_("Only administrators may moderate offers."))


@transaction.atomic
def submit(*, offer: Offer, by: User) -> Offer:
    """A counsellor of the centre sends a draft for review."""
    offer = _locked(offer, Offer.objects.editable_by(by))
    _require(offer, OfferStatus.DRAFT)
    offer.status = OfferStatus.SUBMITTED
    offer.submitted_at = timezone.now()
    offer._change_reason = "submitted"
    offer.save()
    return offer


@transaction.atomic
def publish(*, offer: Offer, by: User) -> Offer:
    """An administrator approves a submitted offer; its review falls due in 180 days."""
    _require_staff(by)
    offer = _locked(offer, Offer.objects.all())
    _require(offer, OfferStatus.SUBMITTED)
    now = timezone.now()
    offer.status = OfferStatus.PUBLISHED
    offer.published_at = offer.last_confirmed_at = now
    offer.review_due = timezone.localdate() + timedelta(days=REVIEW_AFTER_DAYS)
    offer.rejection_reason = ""
    offer._change_reason = "published"
    offer.save()
    queue_reindex([offer.pk])
    _notify(offer, offer.created_by, ModerationNotice.Decision.PUBLISHED)
    return offer


@transaction.atomic
def reject(*, offer: Offer, by: User, reason: str) -> Offer:
    """An administrator returns a submitted offer with the reason."""
    _require_staff(by)
    if not reason.strip():
        raise TransitionError(_("Give the reason for the rejection: the counsellor will read it."))
    offer = _locked(offer, Offer.objects.all())
    _require(offer, OfferStatus.SUBMITTED)
    offer.status = OfferStatus.REJECTED
    offer.rejection_reason = reason.strip()
    offer._change_reason = "rejected"
    offer.save()
    _notify(offer, offer.created_by, ModerationNotice.Decision.REJECTED, offer.rejection_reason)
    return offer


@transaction.atomic
def reopen(*, offer: Offer, by: User) -> Offer:
    """A rejected offer goes back to draft so that the counsellor can correct it."""
    offer = _locked(offer, Offer.objects.editable_by(by))
    _require(offer, OfferStatus.REJECTED)
    offer.status = OfferStatus.DRAFT
    offer._change_reason = "back to draft"
    offer.save()
    return offer


@transaction.atomic
def archive(*, offer: Offer, by: User) -> Offer:
    """A published offer is withdrawn by its centre or by an administrator."""
    offer = _locked(offer, Offer.objects.editable_by(by))
    _require(offer, OfferStatus.PUBLISHED)
    offer.status = OfferStatus.ARCHIVED
    offer._change_reason = "archived"
    offer.save()
    queue_reindex([offer.pk])
    return offer


@transaction.atomic
def confirm_still_accurate(*, offer: Offer, by: User) -> Offer:
    """One click in the counsellors' space: the review date moves 180 days on."""
    offer = _locked(offer, Offer.objects.editable_by(by))
    _require(offer, OfferStatus.PUBLISHED)
    offer.last_confirmed_at = timezone.now()
    offer.review_due = timezone.localdate() + timedelta(days=REVIEW_AFTER_DAYS)
    offer._change_reason = "confirmed still accurate"
    offer.save()
    queue_reindex([offer.pk])
    return offer


@transaction.atomic
def propose_edit(*, offer: Offer, data: dict, by: User) -> OfferRevision:
    """Keep an edit of a published offer aside; it replaces any edit still pending."""
    offer = _locked(offer, Offer.objects.editable_by(by))
    _require(offer, OfferStatus.PUBLISHED)
    for name in ("description_fr", "description_nl", "description_en"):
        if name in data:
            data[name] = clean_html(data[name])
    revision, _created = OfferRevision.objects.update_or_create(
        offer=offer,
        status=RevisionStatus.PENDING,
        defaults={"data": data, "proposed_by": by},
    )
    return revision


@transaction.atomic
def approve_edit(*, revision: OfferRevision, by: User) -> Offer:
    """An administrator applies a pending edit to the published offer."""
    _require_staff(by)
    revision = (
        OfferRevision.objects.select_for_update(of=("self",))
        .filter(pk=revision.pk, status=RevisionStatus.PENDING)
        .first()
    )
    if revision is None:
        raise TransitionError(_("This edit has already been decided."))
    offer = _locked(revision.offer, Offer.objects.all())
    values = dict(revision.data)
    related = {name: values.pop(name) for name in M2M_FIELDS if name in values}
    for name, value in values.items():
        setattr(offer, name, value)
    offer._change_reason = "edit approved"
    offer.full_clean(exclude=["centre", "format", "municipality"])
    offer.save()
    for name, ids in related.items():
        getattr(offer, name).set(ids)
    queue_reindex([offer.pk])
    revision.status = RevisionStatus.APPROVED
    revision.decided_by, revision.decided_at = by, timezone.now()
    revision.save()
    _notify(offer, revision.proposed_by, ModerationNotice.Decision.EDIT_APPROVED)
    return offer


@transaction.atomic
def reject_edit(*, revision: OfferRevision, by: User, reason: str) -> OfferRevision:
    _require_staff(by)
    if not reason.strip():
        raise TransitionError(_("Give the reason for the rejection: the counsellor will read it."))
    revision = (
        OfferRevision.objects.select_for_update(of=("self",))
        .filter(pk=revision.pk, status=RevisionStatus.PENDING)
        .first()
    )
    if revision is None:
        raise TransitionError(_("This edit has already been decided."))
    revision.status = RevisionStatus.REJECTED
    revision.reason = reason.strip()
    revision.decided_by, revision.decided_at = by, timezone.now()
    revision.save()
    _notify(
        revision.offer,
        revision.proposed_by,
        ModerationNotice.Decision.EDIT_REJECTED,
        revision.reason,
    )
    return revision
