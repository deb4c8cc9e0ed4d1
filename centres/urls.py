from django.urls import path
from django.utils.translation import gettext_lazy as _

from centres.views import invitations, manage, public

app_name = "centres"

urlpatterns = [
    path(_("centres/"), public.directory, name="directory"),
    path(_("centres/cites-des-metiers/"), public.cites_network, name="cites"),
    path(_("centres/<slug:slug>/"), public.centre_detail, name="detail"),
    path(_("workspace/"), manage.dashboard, name="dashboard"),
    path(_("workspace/centres/<slug:slug>/edit/"), manage.edit_listing, name="edit"),
    path(_("workspace/centres/<slug:slug>/history/"), manage.history, name="history"),
    path(_("workspace/centres/<slug:slug>/team/"), manage.team, name="team"),
    path(
        _("workspace/centres/<slug:slug>/team/<int:membership_id>/remove/"),
        manage.remove_member,
        name="remove_member",
    ),
    path(
        _("workspace/centres/<slug:slug>/team/invitations/<int:invitation_id>/withdraw/"),
        manage.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path(
        _("workspace/invitations/<str:token>/"),
        invitations.answer_invitation,
        name="invitation",
    ),
]
