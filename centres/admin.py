import csv

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from centres.csv_io import EXPORT_COLUMNS, export_row
from centres.models import (
    Centre,
    ExceptionalDay,
    Invitation,
    InvitationEmail,
    Membership,
    Municipality,
    Network,
    OpeningSlot,
    PostalCode,
    Province,
)
from guidance_portal.admin import OwedEmailAdmin


class OpeningSlotInline(admin.TabularInline):
    model = OpeningSlot
    extra = 0


class ExceptionalDayInline(admin.TabularInline):
    model = ExceptionalDay
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.action(description=_("Export the selected centres as CSV"))
def export_csv(modeladmin, request: HttpRequest, queryset) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="centres-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for centre in queryset.select_related("municipality__province", "network", "parent"):
        writer.writerow(export_row(centre))
    return response


URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Centre)
class CentreAdmin(SimpleHistoryAdmin, TranslationAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "kind", "municipality", "network", "is_active", "updated_at"]
    list_filter = ["kind", "municipality__province", "network", "is_active"]
    search_fields = ["name", "name_fr", "name_nl", "municipality__name", "postcode", "email"]
    list_select_related = ["municipality", "network"]
    autocomplete_fields = ["municipality", "parent", "network"]
    prepopulated_fields = {"slug": ["name_fr"]}
    inlines = [OpeningSlotInline, ExceptionalDayInline, MembershipInline]
    actions = [export_csv]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            from offers.indexing import queue_reindex_of_centre

            queue_reindex_of_centre(obj.pk)  # name, place or activity show in search


@admin.register(Network)
class NetworkAdmin(TranslationAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name_fr"]}


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "centre", "role", "created_at"]
    list_filter = ["role", "centre__kind"]
    search_fields = ["user__email", "user__full_name", "centre__name"]
    autocomplete_fields = ["user", "centre"]
    list_select_related = ["user", "centre"]


@admin.register(Invitation)
class InvitationAdmin(OwedEmailAdmin):
    """Read-only: an invitation is answered by the invited account and withdrawn by the
    centre's managers, in the counsellors' space; here administrators see where it stands and
    whether its e-mail left."""

    list_display = [
        "email",
        "centre",
        "role",
        "state",
        "created_at",
        "expires_at",
        *OwedEmailAdmin.list_display[1:],
    ]
    list_filter = ["role", *OwedEmailAdmin.list_filter]
    search_fields = ["email", "user__email", "centre__name"]
    list_select_related = ["centre"]

    @admin.display(description=_("state"))
    def state(self, invitation: Invitation) -> str:
        return invitation.state.label


@admin.register(Province)
class ProvinceAdmin(TranslationAdmin):
    list_display = ["name", "refnis", "region"]
    list_filter = ["region"]


@admin.register(Municipality)
class MunicipalityAdmin(TranslationAdmin):
    list_display = ["name", "refnis", "province"]
    list_filter = ["province"]
    search_fields = ["name", "name_fr", "name_nl", "refnis"]


@admin.register(PostalCode)
class PostalCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "locality", "municipality"]
    search_fields = ["code", "locality", "municipality__name"]
    list_select_related = ["municipality"]


@admin.register(InvitationEmail)
class InvitationEmailAdmin(OwedEmailAdmin):
    list_select_related = ["membership__user", "membership__centre"]
    search_fields = ["membership__user__email", "membership__centre__name"]
