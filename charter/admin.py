from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from charter import services
from charter.models import (
    CharterVersion,
    Commitment,
    Organisation,
    Principle,
    ResignInvitation,
    Signature,
    Statement,
)
from guidance_portal.admin import OwedEmailAdmin


class PrincipleInline(TranslationTabularInline):
    model = Principle
    extra = 0


class CommitmentInline(TranslationTabularInline):
    model = Commitment
    extra = 0
    autocomplete_fields = ["principle"]


@admin.action(description=_("Publish and invite the signatories to re-sign"))
def publish_versions(modeladmin, request, queryset):
    for version in queryset:
        try:
            services.publish_version(version=version, by=request.user)
        except services.CharterError as error:
            modeladmin.message_user(request, f"{version}: {error}", messages.ERROR)
        else:
            modeladmin.message_user(
                request,
                _("%(version)s is published; the centres' managers are being invited to re-sign.")
                % {"version": version},
                messages.SUCCESS,
            )


@admin.register(CharterVersion)
class CharterVersionAdmin(TranslationAdmin):
    list_display = ["title", "adopted_on", "status", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "published_at"]
    inlines = [PrincipleInline, CommitmentInline]
    actions = [publish_versions]


@admin.register(Principle)
class PrincipleAdmin(TranslationAdmin):
    list_display = ["number", "name", "version"]
    list_filter = ["version"]
    search_fields = ["name", "name_fr", "name_nl"]


@admin.register(Organisation)
class OrganisationAdmin(TranslationAdmin):
    list_display = ["name", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "name_fr", "name_nl"]


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "version", "signed_on", "status", "signatory_name"]
    list_filter = ["status", "version", "organisation__kind", "centre__kind"]
    list_select_related = ["version", "centre", "organisation"]
    autocomplete_fields = ["centre", "organisation"]
    readonly_fields = ["signed_by", "recorded_at"]
    search_fields = ["centre__name", "organisation__name", "signatory_name"]


@admin.action(description=_("Approve the selected statements (publish them)"))
def approve_statements(modeladmin, request, queryset):
    for statement in queryset:
        services.approve_statement(statement=statement, by=request.user)
    modeladmin.message_user(request, _("Statements approved."), messages.SUCCESS)


@admin.action(description=_("Reject the selected statements"))
def reject_statements(modeladmin, request, queryset):
    for statement in queryset:
        services.reject_statement(statement=statement, by=request.user)
    modeladmin.message_user(request, _("Statements rejected."), messages.SUCCESS)


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "updated_at", "reviewed_at"]
    list_filter = ["status"]
    list_select_related = ["signature__centre", "signature__organisation", "principle"]
    readonly_fields = ["published_text", "updated_by", "reviewed_at"]
    actions = [approve_statements, reject_statements]


@admin.register(ResignInvitation)
class ResignInvitationAdmin(OwedEmailAdmin):
    list_display = ["user", "centre", "version", *OwedEmailAdmin.list_display[1:]]
    list_filter = [*OwedEmailAdmin.list_filter, "version"]
    list_select_related = ["user", "centre", "version"]
