"""What every app's admin of owed e-mails shares: where each one stands (to be sent, sent,
failed), why the last attempt failed, and a way to try a failed one again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from guidance_portal import mail
from guidance_portal.models import Delivery, OwedEmail

DELIVERY_FIELDS = [
    "attempts",
    "last_attempt_at",
    "next_attempt_at",
    "queued_at",
    "sent_at",
    "failed_at",
    "failure_reason",
]


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return Delivery.choices

    def queryset(self, request, queryset):
        if self.value() == Delivery.OWED:
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        if self.value() == Delivery.SENT:
            return queryset.filter(sent_at__isnull=False)
        if self.value() == Delivery.FAILED:
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=False)
        return queryset


@admin.action(description=_("Try to send the selected e-mails again"))
def try_again(modeladmin, request, queryset) -> None:
    count = mail.try_again(queryset.model, queryset.values_list("pk", flat=True))
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d e-mail will be sent again.", "%(count)d e-mails will be sent again.", count
        )
        % {"count": count},
        messages.SUCCESS,
    )


class OwedEmailAdmin(admin.ModelAdmin):
    """Rows are made by the portal and changed only by sending them: read-only here."""

    list_display = ["__str__", "delivery_display", "attempts", "last_attempt_at", "failure_reason"]
    list_filter = [DeliveryFilter]
    actions = [try_again]
    ordering = ["-pk"]

    @admin.display(description=_("delivery"))
    def delivery_display(self, row: OwedEmail) -> str:
        return row.delivery.label

    def has_add_permission(self, request) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
