from offers.models.booking import (
    Booking,
    BookingMessage,
    BookingStatus,
    MessageKind,
    SessionStats,
)
from offers.models.offer import (
    BookingNeed,
    DeliveryMode,
    ModerationNotice,
    Offer,
    OfferRevision,
    OfferStatus,
    ReviewDigest,
)
from offers.models.search import SearchBitmap, SearchDocument, SearchWord
from offers.models.session import Session
from offers.models.taxonomy import Audience, Format, MinimumOfferCategory, Theme

__all__ = [
    "Audience",
    "Booking",
    "BookingMessage",
    "BookingNeed",
    "BookingStatus",
    "DeliveryMode",
    "Format",
    "MessageKind",
    "MinimumOfferCategory",
    "ModerationNotice",
    "Offer",
    "OfferRevision",
    "OfferStatus",
    "ReviewDigest",
    "SearchBitmap",
    "SearchDocument",
    "SearchWord",
    "Session",
    "SessionStats",
    "Theme",
]
