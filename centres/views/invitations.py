"""The invited person's page: read an invitation into a centre's team, then accept or decline.

Only the invited account, signed in, sees the invitation (``addressed_to``). A link that names
no invitation is a 404; one sent to another account is a 403 that tells nothing about it; one
that can no longer be answered is a 410 that says why; an accepted one says it is done.
Looking never changes anything: joining is a POST from this page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres import services
from centres.forms import InvitationAnswer, InvitationAnswerForm
from centres.models import Invitation, InvitationState

STATUS = {
    InvitationState.PENDING: 200,
    InvitationState.ACCEPTED: 200,
    InvitationState.DECLINED: 410,
    InvitationState.WITHDRAWN: 410,
    InvitationState.EXPIRED: 410,
}

HEADINGS = {
    InvitationState.PENDING: gettext_lazy("Invitation to join the team of %(name)s"),
    InvitationState.ACCEPTED: gettext_lazy("You are a member of the team of %(name)s"),
    InvitationState.DECLINED: gettext_lazy("You declined this invitation"),
    InvitationState.WITHDRAWN: gettext_lazy("This invitation was withdrawn"),
    InvitationState.EXPIRED: gettext_lazy("This invitation has expired"),
}


@login_required
def answer_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = (
        Invitation.objects.addressed_to(request.user)
        .with_token(token)
        .select_related("centre", "invited_by")
        .first()
    )
    if invitation is None:
        if Invitation.objects.with_token(token).exists():
            return render(
                request, "centres/manage/invitation_refused.html", {"token": token}, status=403
            )
        return render(request, "centres/manage/invitation_unknown.html", status=404)
    form = InvitationAnswerForm(request.POST if request.method == "POST" else None)
    error = None
    if form.is_bound and form.is_valid() and invitation.state == InvitationState.PENDING:
        try:
            _answer(request, invitation, form.cleaned_data["answer"])
        except services.CentreError as refusal:  # answered or withdrawn in the meantime
            error = str(refusal)
            invitation.refresh_from_db()
        else:
            return redirect("centres:dashboard")
    state = invitation.state
    status = STATUS[state]
    if state == InvitationState.PENDING and form.is_bound:
        status = 400
    return render(
        request,
        "centres/manage/invitation.html",
        {
            "invitation": invitation,
            "state": state,
            "heading": HEADINGS[state] % {"name": invitation.centre.name},
            "form": form,
            "error": error,
        },
        status=status,
    )


def _answer(request: HttpRequest, invitation: Invitation, answer: str) -> None:
    name = invitation.centre.name
    if answer == InvitationAnswer.ACCEPT:
        services.accept_invitation(invitation=invitation, by=request.user)
        messages.success(request, _("You joined the team of %(name)s.") % {"name": name})
    else:
        services.decline_invitation(invitation=invitation, by=request.user)
        messages.info(
            request, _("You declined the invitation to the team of %(name)s.") % {"name": name}
        )
