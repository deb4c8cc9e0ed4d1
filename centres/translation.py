"""Translated fields (French, with Dutch and English falling back to French).

The history of translated models is registered here, after modeltranslation has added the
``name_fr``/``name_nl``/… columns, so that the history records them too.
"""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from centres.models import Centre, ExceptionalDay, Municipality, Network, Province


@register(Province)
class ProvinceTranslation(TranslationOptions):
    fields = ("name",)


@register(Municipality)
class MunicipalityTranslation(TranslationOptions):
    fields = ("name",)


@register(Network)
class NetworkTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Centre)
class CentreTranslation(TranslationOptions):
    fields = ("name", "description")


@register(ExceptionalDay)
class ExceptionalDayTranslation(TranslationOptions):
    fields = ("reason",)


simple_history.register(Centre, app="centres", excluded_fields=["updated_at"])
simple_history.register(ExceptionalDay, app="centres")
