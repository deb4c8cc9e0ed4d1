"""The register's vocabularies, edited by administrators: themes, audiences, formats and the
common minimum offer. Slugs are stable identifiers; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from guidance_portal.validators import single_line, text_validators

TERM_DESCRIPTION_LENGTH = 2_000


class Term(models.Model):
    name = models.CharField(_("name"), max_length=120, validators=[single_line])
    slug = models.SlugField(_("slug"), max_length=80, unique=True, validators=[single_line])
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=TERM_DESCRIPTION_LENGTH,
        validators=text_validators(TERM_DESCRIPTION_LENGTH),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Theme(Term):
    is_promoted = models.BooleanField(
        _("promoted theme"), default=False, help_text=_("e.g. STEM, professions of the future")
    )

    class Meta(Term.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Audience(Term):
    class Meta(Term.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")


class Format(Term):
    class Meta(Term.Meta):
        verbose_name = _("format")
        verbose_name_plural = _("formats")


class MinimumOfferCategory(Term):
    """A part of the common minimum offer agreed for the whole territory."""

    class Meta(Term.Meta):
        verbose_name = _("common minimum offer category")
        verbose_name_plural = _("common minimum offer categories")
