"""Reads that shape the charter's pages, each with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from charter.models import CharterVersion, Commitment, Principle, Signature, Statement


def version_with_content(version_id: int) -> CharterVersion | None:
    """A published version with its principles and commitments (3 queries)."""
    return (
        CharterVersion.objects.published()
        .prefetch_related(
            Prefetch(
                "principles",
                queryset=Principle.objects.prefetch_related(
                    Prefetch("commitments", queryset=Commitment.objects.order_by("number"))
                ).order_by("number"),
            )
        )
        .filter(pk=version_id)
        .first()
    )


def history() -> QuerySet[CharterVersion]:
    """Every published version with its number of signatures (1 query)."""
    return (
        CharterVersion.objects.published()
        .annotate(signature_count=Count("signatures"))
        .order_by("-adopted_on", "-pk")
    )


def signatories(*, kind: str = "", province: str = "") -> list[Signature]:
    """Each actor's standing signature with what the list shows, filtered (1 query)."""
    signatures = (
        Signature.objects.of_current_signatories()
        .select_related("version", "centre__municipality__province", "organisation__province")
        .exclude(centre__is_active=False)
    )
    rows = list(signatures)
    if kind:
        rows = [s for s in rows if group_of(s) == kind]
    if province:
        rows = [s for s in rows if province_of(s) and province_of(s).slug == province]
    rows.sort(
        key=lambda s: (
            group_label(s),
            province_of(s) is not None,
            str(province_of(s) or ""),
            str(s.actor),
        )
    )
    return rows


def group_of(signature: Signature) -> str:
    if signature.centre_id:
        return f"centre:{signature.centre.kind}"
    return f"organisation:{signature.organisation.kind}"


def group_label(signature: Signature) -> str:
    if signature.centre_id:
        return str(signature.centre.get_kind_display())
    return str(signature.organisation.get_kind_display())


def province_of(signature: Signature):
    if signature.centre_id:
        return signature.centre.municipality.province
    return signature.organisation.province


def public_statements(centre_id: int) -> QuerySet[Statement]:
    """The approved self-assessment of a centre's standing signature (1 query)."""
    return (
        Statement.objects.public()
        .filter(signature__centre_id=centre_id, signature__status__in=["signed", "invited"])
        .select_related("principle", "signature__version")
        .order_by("-signature__version__adopted_on", "principle__number")
    )


def is_signatory(centre_ref=None) -> Exists:
    """An annotation: the centre has a standing signature of the charter."""
    return Exists(Signature.objects.in_force().filter(centre=OuterRef(centre_ref or "centre")))
