"""The search index: one row per offer a citizen can find, rebuilt by ``offers.indexing``.

A row holds the weighted text (French and Dutch stemming, a simple configuration for English
and proper names) and every value the search page filters or counts on, so a search reads one
narrow table. ``SearchWord`` is the vocabulary that "did you mean" looks typos up in.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    offer = models.OneToOneField(
        "offers.Offer",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("offer"),
    )
    document = SearchVectorField()
    theme_ids = ArrayField(models.IntegerField(), default=list)
    audience_ids = ArrayField(models.IntegerField(), default=list)
    format_id = models.IntegerField()
    province_id = models.IntegerField()
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    delivery_mode = models.CharField(max_length=10)
    is_free = models.BooleanField()
    is_anonymous_possible = models.BooleanField()
    needs_booking = models.BooleanField()
    languages = ArrayField(models.CharField(max_length=3), default=list)
    # Local (Europe/Brussels) dates of the upcoming sessions; a periodic job drops past ones.
    session_dates = ArrayField(models.DateField(), default=list)
    next_session_at = models.DateTimeField(null=True)
    published_at = models.DateTimeField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        # The search reads its sets, then documents by offer id (the primary key); only the
        # periodic refresh looks documents up by their next session. No GIN index: nothing
        # searches the vectors row by row any more, and each one made every write dearer.
        indexes = [models.Index(fields=["next_session_at"], name="search_next_session")]

    def __str__(self) -> str:
        return f"search document of offer {self.offer_id}"


class SearchBitmap(models.Model):
    """A set of findable offers sharing a word, a facet value, a day or a place.

    ``data`` is a Roaring bitmap as ``pyroaring.BitMap.serialize()`` writes it (the portable
    Roaring format); ``offers.bitmaps`` lists the keys.
    """

    key = models.TextField(primary_key=True, db_collation="C")
    data = models.BinaryField()

    class Meta:
        verbose_name = _("search bitmap")
        verbose_name_plural = _("search bitmaps")

    def __str__(self) -> str:
        return self.key


class SearchWord(models.Model):
    """A word of the register's titles, themes and places, without accents, for typos."""

    word = models.CharField(max_length=60, primary_key=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        # GiST, not GIN: it walks the words nearest a typo in order (``<->``), so "did you
        # mean" reads a few index pages instead of every candidate sharing a trigram.
        indexes = [
            GistIndex(fields=["word"], name="search_word_trgm_gist", opclasses=["gist_trgm_ops"])
        ]

    def __str__(self) -> str:
        return self.word
