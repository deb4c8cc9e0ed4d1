"""The administrators' moderation queue: submitted offers and pending edits, oldest first.

Offers are reached through ``Offer.objects.moderatable_by(user)``: to anyone but an
administrator the queue and its pages do not exist (404).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guidance_portal.validators import MultiLineCharField
from offers import selectors, services
from offers.forms import OfferForm
from offers.models import Offer, OfferRevision
from offers.models.offer import REASON_LENGTH, RevisionStatus


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = MultiLineCharField(
        label=gettext_lazy("Reason (sent to the counsellor when you reject)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=REASON_LENGTH,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason", _("Give the reason for the rejection: the counsellor will read it.")
            )
        return cleaned


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404
    offers, edits = selectors.moderation_queue()
    return render(request, "offers/moderation/queue.html", {"offers": offers, "edits": edits})


def _changes(revision: OfferRevision) -> list[dict]:
    """Field by field: the published value beside the proposed one."""
    offer = revision.offer
    form = OfferForm(instance=offer, user=offer.created_by or revision.proposed_by)
    rows = []
    for name, value in revision.data.items():
        field_name = name.removesuffix("_id")
        label = form.fields[field_name].label if field_name in form.fields else field_name
        if field_name in ("themes", "audiences", "minimum_offer_categories"):
            model = getattr(Offer, field_name).field.related_model
            before = ", ".join(str(t) for t in getattr(offer, field_name).all())
            after = ", ".join(str(t) for t in model.objects.filter(pk__in=value))
        else:
            before, after = getattr(offer, name), value
        rows.append({"label": label, "before": before, "after": after})
    return rows


@login_required
def review_offer(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(
        Offer.objects.moderatable_by(request.user).select_related("centre", "format"), pk=pk
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.publish(offer=offer, by=request.user)
                    messages.success(request, _("The offer is published."))
                else:
                    services.reject(
                        offer=offer, by=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(
                        request, _("The offer is returned to its centre with your reason.")
                    )
            except services.TransitionError as error:
                messages.error(request, str(error))
            return redirect("offers:moderation")
        return render(
            request,
            "offers/moderation/review_offer.html",
            {"offer": offer, "form": form},
            status=400,
        )
    return render(request, "offers/moderation/review_offer.html", {"offer": offer, "form": form})


@login_required
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404
    revision = get_object_or_404(
        OfferRevision.objects.filter(
            status=RevisionStatus.PENDING, offer__in=Offer.objects.moderatable_by(request.user)
        ).select_related("offer__centre", "proposed_by"),
        pk=pk,
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.approve_edit(revision=revision, by=request.user)
                messages.success(request, _("The changes are published."))
            else:
                services.reject_edit(
                    revision=revision, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request, _("The changes are returned to the centre with your reason.")
                )
        except services.TransitionError as error:
            messages.error(request, str(error))
        return redirect("offers:moderation")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "offers/moderation/review_edit.html",
        {
            "revision": revision,
            "offer": revision.offer,
            "changes": _changes(revision),
            "form": form,
        },
        status=status,
    )
