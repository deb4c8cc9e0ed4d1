"""Translated fields of the charter (French, falling back to French)."""

from modeltranslation.translator import TranslationOptions, register

from charter.models import CharterVersion, Commitment, Organisation, Principle


@register(CharterVersion)
class CharterVersionTranslation(TranslationOptions):
    fields = ("title", "preamble")


@register(Principle)
class PrincipleTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Commitment)
class CommitmentTranslation(TranslationOptions):
    fields = ("text",)


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name",)
