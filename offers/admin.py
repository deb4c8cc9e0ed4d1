import csv
from datetime import timedelta

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from guidance_portal.admin import OwedEmailAdmin
from offers.csv_io import COLUMNS, export_row
from offers.indexing import queue_reindex, queue_reindex_of_term
from offers.models import (
    Audience,
    Booking,
    BookingMessage,
    Format,
    MinimumOfferCategory,
    ModerationNotice,
    Offer,
    OfferRevision,
    ReviewDigest,
    Session,
    SessionStats,
    Theme,
)


class TermAdmin(TranslationAdmin):
    list_display = ["name", "slug", "position", "offer_count"]
    list_editable = ["position"]
    search_fields = ["name", "name_fr", "name_nl", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(used_by=models.Count("offers"))

    @admin.display(description="offers", ordering="used_by")
    def offer_count(self, term) -> int:
        return term.used_by

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:  # a new label changes what citizens find under it
            field = {Theme: "themes", Audience: "audiences", Format: "format"}.get(type(obj))
            if field:
                queue_reindex_of_term(field, obj.pk)

    def get_deleted_objects(self, objs, request):
        """Refuse to delete a term that offers use, saying how many use it."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for term in objs:
            used = term.offers.count()
            if used:
                protected.append(
                    ngettext(
                        "“%(term)s” is used by %(count)d offer: change that offer first.",
                        "“%(term)s” is used by %(count)d offers: change those offers first.",
                        used,
                    )
                    % {"term": term, "count": used}
                )
        return deleted, counts, perms_needed, protected


@admin.register(Theme)
class ThemeAdmin(TermAdmin):
    list_display = [*TermAdmin.list_display, "is_promoted"]


admin.site.register(Audience, TermAdmin)
admin.site.register(Format, TermAdmin)
admin.site.register(MinimumOfferCategory, TermAdmin)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("hidden", _("hidden (30 days overdue)"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(status="published", review_due__lt=today)
        if self.value() == "hidden":
            return queryset.filter(status="published", review_due__lt=today - timedelta(days=30))
        return queryset


@admin.action(description=_("Archive the selected published offers"))
def archive_offers(modeladmin, request, queryset):
    published = queryset.filter(status="published")
    ids = list(published.values_list("pk", flat=True))
    count = published.update(status="archived")
    queue_reindex(ids)
    modeladmin.message_user(
        request,
        ngettext("%(count)d offer archived.", "%(count)d offers archived.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(description=_("Export the selected offers as CSV"))
def export_offers(modeladmin, request, queryset) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="offers-{timezone.localdate()}.csv"'
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    offers = queryset.select_related("centre", "format").prefetch_related("themes", "audiences")
    for offer in offers:
        writer.writerow(export_row(offer))
    return response


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["title", "centre", "format", "status", "review_due", "updated_at"]
    list_filter = [
        "status",
        ReviewOverdueFilter,
        "centre__kind",
        "centre__municipality__province",
        "themes",
        "audiences",
        "format",
        "centre",
    ]
    actions = [archive_offers, export_offers]
    search_fields = ["title", "title_fr", "title_nl", "centre__name"]
    list_select_related = ["centre", "format"]
    autocomplete_fields = ["centre", "municipality"]
    filter_horizontal = ["themes", "audiences", "minimum_offer_categories"]
    inlines = [SessionInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        queue_reindex([form.instance.pk])  # the index follows what the administrator wrote


@admin.register(OfferRevision)
class OfferRevisionAdmin(admin.ModelAdmin):
    list_display = ["offer", "status", "proposed_by", "proposed_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["offer", "proposed_by", "decided_by"]
    readonly_fields = ["offer", "data", "proposed_by", "proposed_at", "decided_by", "decided_at"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "places", "created_at", "attended", "purged_at"]
    list_filter = ["status", "session__offer__centre__kind"]
    list_select_related = ["session__offer"]
    search_fields = ["email", "session__offer__title"]
    readonly_fields = [f.name for f in Booking._meta.fields if f.name != "id"]
    exclude = ["token"]

    def has_add_permission(self, request) -> bool:
        return False  # bookings are made by citizens, through the site


@admin.register(SessionStats)
class SessionStatsAdmin(admin.ModelAdmin):
    list_display = [
        "session",
        "bookings",
        "places_booked",
        "waiting_list",
        "cancellations",
        "attended",
    ]
    list_select_related = ["session__offer"]
    list_filter = ["session__offer__centre__municipality__province", "session__offer__themes"]
    readonly_fields = [
        "session",
        "bookings",
        "places_booked",
        "waiting_list",
        "cancellations",
        "attended",
    ]


@admin.register(BookingMessage)
class BookingMessageAdmin(OwedEmailAdmin):
    list_display = ["__str__", "kind", "due_at", *OwedEmailAdmin.list_display[1:]]
    list_filter = [*OwedEmailAdmin.list_filter, "kind"]
    list_select_related = ["booking"]


@admin.register(ModerationNotice)
class ModerationNoticeAdmin(OwedEmailAdmin):
    list_filter = [*OwedEmailAdmin.list_filter, "decision"]
    list_select_related = ["offer", "recipient"]
    search_fields = ["offer__title", "recipient__email"]


@admin.register(ReviewDigest)
class ReviewDigestAdmin(OwedEmailAdmin):
    list_display = [*OwedEmailAdmin.list_display, "offer_count"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
