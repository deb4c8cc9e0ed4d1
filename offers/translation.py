"""Translated fields of the register (French, falling back to French).

History is registered after modeltranslation has added the translated columns.
"""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from offers.models import Audience, Format, MinimumOfferCategory, Offer, Session, Theme


class TermTranslation(TranslationOptions):
    fields = ("name", "description")


for model in (Theme, Audience, Format, MinimumOfferCategory):
    register(model)(type(f"{model.__name__}Translation", (TermTranslation,), {}))


@register(Offer)
class OfferTranslation(TranslationOptions):
    fields = ("title", "summary", "description")


simple_history.register(
    Offer,
    app="offers",
    excluded_fields=["updated_at"],
    m2m_fields=["themes", "audiences", "minimum_offer_categories"],
)
simple_history.register(Session, app="offers")
