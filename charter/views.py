"""The charter's public page, a version's page and the centre's charter in the counsellors'
space (sign, self-assessment)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from centres.models import Centre, CentreKind, Province, Region
from charter import selectors, services
from charter.forms import SignatoriesForm, SignForm, StatementsForm
from charter.models import CharterVersion, OrganisationKind, Signature, Statement


def _kind_choices() -> list[tuple[str, str]]:
    return [(f"centre:{v}", str(label)) for v, label in CentreKind.choices] + [
        (f"organisation:{v}", str(label)) for v, label in OrganisationKind.choices
    ]


def charter_page(request: HttpRequest) -> HttpResponse:
    current = CharterVersion.objects.current()
    version = selectors.version_with_content(current.pk) if current else None
    kinds = _kind_choices()
    provinces = list(
        Province.objects.filter(region__in=[Region.WALLONIA, Region.BRUSSELS]).order_by("name")
    )
    chosen, notes = SignatoriesForm(
        request.GET, kinds=kinds, provinces=[p.slug for p in provinces]
    ).filters()
    kind, province = chosen["kind"], chosen["province"]
    signatures = selectors.signatories(kind=kind, province=province)
    everywhere = _("Whole territory")
    groups = [
        (
            label,
            [
                (province, list(rows))
                for province, rows in groupby(
                    items, key=lambda s: str(selectors.province_of(s) or everywhere)
                )
            ],
        )
        for label, items in groupby(signatures, key=selectors.group_label)
    ]
    return render(
        request,
        "charter/charter.html",
        {
            "version": version,
            "groups": groups,
            "signature_count": len(signatures),
            "history": selectors.history(),
            "kinds": kinds,
            "provinces": provinces,
            "kind": kind,
            "province": province,
            "notes": notes,
        },
    )


def version_page(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_with_content(pk)
    if version is None:
        raise Http404
    return render(
        request,
        "charter/version.html",
        {"version": version, "current": CharterVersion.objects.current()},
    )


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Members see the centre's charter status; only its managers sign and write."""
    centre = get_object_or_404(Centre.objects.editable_by(request.user), slug=slug)
    is_manager = Centre.objects.managed_by(request.user).filter(pk=centre.pk).exists()
    current = CharterVersion.objects.current()
    signatures = list(
        Signature.objects.filter(centre=centre).select_related("version", "signed_by")
    )
    signature = next((s for s in signatures if current and s.version_id == current.pk), None)
    standing = next((s for s in signatures if s.status in ("signed", "invited")), None)
    sign_form = SignForm()
    statements_form = None
    if signature is not None:
        statements_form = StatementsForm(
            principles=signature.version.principles.order_by("number"),
            statements=Statement.objects.filter(signature=signature),
        )
    status = 200
    if request.method == "POST":
        if not is_manager:
            raise Http404  # counsellors may look, not sign: the action does not exist for them
        action = request.POST.get("action")
        try:
            if action == "sign":
                sign_form = SignForm(request.POST)
                if sign_form.is_valid():
                    services.sign(centre=centre, by=request.user)
                    messages.success(request, _("The centre has signed the charter. Thank you."))
                    return redirect("charter:manage", slug=centre.slug)
                status = 400
            elif action == "statements" and signature is not None:
                statements_form = StatementsForm(
                    request.POST,
                    principles=signature.version.principles.order_by("number"),
                    statements=Statement.objects.filter(signature=signature),
                )
                if statements_form.is_valid():
                    waiting = services.save_statements(
                        signature=signature, texts=statements_form.texts(), by=request.user
                    )
                    messages.success(
                        request,
                        _("Saved. %(count)d statement(s) wait for an administrator's review.")
                        % {"count": waiting},
                    )
                    return redirect("charter:manage", slug=centre.slug)
                status = 400
            else:
                raise Http404
        except services.CharterError as error:
            messages.error(request, str(error))
            status = 400
    return render(
        request,
        "charter/manage.html",
        {
            "centre": centre,
            "is_manager": is_manager,
            "current": current,
            "signature": signature,
            "standing": standing,
            "signatures": signatures,
            "sign_form": sign_form,
            "form": statements_form,
        },
        status=status,
    )
