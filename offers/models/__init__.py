from offers.models.offer import (
    BookingNeed,
    DeliveryMode,
    ModerationNotice,
    Offer,
    OfferRevision,
    OfferStatus,
    ReviewDigest,
)
from offers.models.search import SearchDocument, SearchWord
from offers.models.session import Session
from offers.models.taxonomy import Audience, Format, MinimumOfferCategory, Theme

__all__ = [
    "Audience",
    "BookingNeed",
    "DeliveryMode",
    "Format",
    "MinimumOfferCategory",
    "ModerationNotice",
    "Offer",
    "OfferRevision",
    "OfferStatus",
    "ReviewDigest",
    "SearchDocument",
    "SearchWord",
    "Session",
    "Theme",
]
