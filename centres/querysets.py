"""Who may see or change which centre, and geographic look-ups, in one place."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from django.core import signing
from django.db import models
from django.db.models import Exists, F, FloatField, OuterRef, Q, Value
from django.db.models.functions import ACos, Cos, Greatest, Least, Radians, Sin
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE_LAT = 111.2


def distance_km(latitude: float, longitude: float) -> models.Func:
    """Great-circle distance from a point to the row's latitude/longitude, in km."""
    cosine = Cos(Radians(Value(latitude))) * Cos(Radians(F("latitude"))) * Cos(
        Radians(F("longitude")) - Radians(Value(longitude))
    ) + Sin(Radians(Value(latitude))) * Sin(Radians(F("latitude")))
    # Rounding can push the cosine a hair past ±1, where ACOS is undefined.
    return ACos(Least(Greatest(cosine, Value(-1.0)), Value(1.0))) * Value(
        EARTH_RADIUS_KM, output_field=FloatField()
    )


class CentreQuerySet(models.QuerySet):
    def active(self) -> CentreQuerySet:
        return self.filter(is_active=True)

    def for_listing(self) -> CentreQuerySet:
        return self.select_related("municipality__province", "network")

    def editable_by(self, user: User) -> CentreQuerySet:
        """Centres whose listing the user keeps: members of any role; administrators: all."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(Exists(self._memberships(user)))

    def managed_by(self, user: User) -> CentreQuerySet:
        """Centres whose team the user manages (invites and removes counsellors)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(Exists(self._memberships(user).filter(role="manager")))

    @staticmethod
    def _memberships(user: User) -> models.QuerySet:
        from centres.models import Membership

        # Exists() rather than a join: no duplicates to remove, so rows can be locked.
        return Membership.objects.filter(centre=OuterRef("pk"), user=user)

    def near(self, latitude: float, longitude: float, radius_km: float) -> CentreQuerySet:
        """Centres within the radius, annotated with ``distance`` and nearest first.

        A bounding box on the indexed coordinates keeps the trigonometry to a few rows.
        """
        delta_lat = radius_km / KM_PER_DEGREE_LAT
        delta_lon = radius_km / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(latitude)), 0.01))
        return (
            self.filter(
                latitude__range=(latitude - delta_lat, latitude + delta_lat),
                longitude__range=(longitude - delta_lon, longitude + delta_lon),
            )
            .annotate(distance=distance_km(latitude, longitude))
            .filter(distance__lte=radius_km)
            .order_by("distance", "name")
        )


class MembershipQuerySet(models.QuerySet):
    def of_user(self, user: User) -> MembershipQuerySet:
        return self.filter(user=user).select_related("centre__municipality")

    def managed_by(self, user: User) -> MembershipQuerySet:
        from centres.models import Centre

        return self.filter(centre__in=Centre.objects.managed_by(user))


def invitation_signer() -> signing.Signer:
    """Signs an invitation's id for its link (``Invitation.token``)."""
    return signing.Signer(salt="centres.invitation")


class InvitationQuerySet(models.QuerySet):
    """Invitations grant nothing: these only say who may answer or withdraw one."""

    def with_token(self, token: str) -> InvitationQuerySet:
        """The invitation a link's token names, or none when its signature is wrong."""
        try:
            pk = int(invitation_signer().unsign(token))
        except (signing.BadSignature, ValueError):
            return self.none()
        return self.filter(pk=pk)

    def addressed_to(self, user: User) -> InvitationQuerySet:
        """Invitations the user may accept or decline: those sent to their own account."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(user=user)

    def managed_by(self, user: User) -> InvitationQuerySet:
        """Invitations the user may see and withdraw: those of the centres they manage."""
        centres = self.model._meta.get_field("centre").related_model.objects
        return self.filter(centre__in=centres.managed_by(user))

    def open(self) -> InvitationQuerySet:
        """Not answered nor withdrawn (perhaps expired)."""
        return self.filter(
            accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True
        )

    def pending(self) -> InvitationQuerySet:
        """Open and not expired: the invitations that can still be accepted."""
        return self.open().filter(expires_at__gt=timezone.now())


class PostalCodeQuerySet(models.QuerySet):
    def matching(self, text: str) -> PostalCodeQuerySet:
        """Postcodes for a four-digit code, or for a municipality named (accents ignored)."""
        text = text.strip()
        if re.fullmatch(r"\d{4}", text):
            return self.filter(code=text).select_related("municipality")
        return self.filter(
            Q(municipality__name__unaccent__iexact=text)
            | Q(municipality__name_fr__unaccent__iexact=text)
            | Q(municipality__name_nl__unaccent__iexact=text)
            | Q(locality__unaccent__iexact=text)
        ).select_related("municipality")
