"""Who sees which part of the charter, in one place."""

from __future__ import annotations

from django.db import models

# Statuses of a signature that still stands (the search's result cards read them too).
IN_FORCE = ("signed", "invited")


class VersionQuerySet(models.QuerySet):
    def published(self) -> VersionQuerySet:
        return self.filter(status="published")

    def current(self):
        """The version in force: the latest published one, or None."""
        return self.published().order_by("-adopted_on", "-published_at", "-pk").first()


class SignatureQuerySet(models.QuerySet):
    def in_force(self) -> SignatureQuerySet:
        """Signatures that still stand: signed, or signed and invited to re-sign."""
        return self.filter(status__in=IN_FORCE)

    def of_current_signatories(self) -> SignatureQuerySet:
        """Each actor's latest standing signature, one row per actor."""
        return (
            self.in_force()
            .order_by("centre_id", "organisation_id", "-version__adopted_on", "-signed_on")
            .distinct("centre_id", "organisation_id")
        )


class StatementQuerySet(models.QuerySet):
    def public(self) -> StatementQuerySet:
        """What citizens may read: statements an administrator approved."""
        return self.exclude(published_text="")
