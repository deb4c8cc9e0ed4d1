from django import forms
from django.utils.translation import gettext_lazy as _

from charter.services import MAX_STATEMENT_LENGTH
from guidance_portal.query import shown


class SignatoriesForm(forms.Form):
    """The public list of signatories, filtered by kind of actor and by province."""

    kind = forms.ChoiceField(label=_("Kind of actor"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)

    IGNORED = {
        "kind": _("“%(value)s” is not a kind of actor: that filter was ignored."),
        "province": _("The province “%(value)s” does not exist: that filter was ignored."),
    }

    def __init__(self, data, *, kinds: list[tuple[str, str]], provinces: list[str]) -> None:
        super().__init__(data)
        self.fields["kind"].choices = [("", ""), *kinds]
        self.fields["province"].choices = [("", ""), *((slug, slug) for slug in provinces)]

    def filters(self) -> tuple[dict[str, str], list[str]]:
        """The usable filters, and a note for each one that was ignored."""
        self.is_valid()
        notes = [
            str(self.IGNORED[name]) % {"value": shown(self.data.get(name))} for name in self.errors
        ]
        chosen = {name: self.cleaned_data.get(name) or "" for name in ("kind", "province")}
        return chosen, notes


class SignForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read the charter and I sign it for the centre, which commits to it."),
        error_messages={"required": _("Tick the box to confirm that you sign for the centre.")},
    )


class StatementsForm(forms.Form):
    """One text per principle of the signed version."""

    def __init__(self, *args, principles, statements, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        by_principle = {s.principle_id: s for s in statements}
        for principle in principles:
            statement = by_principle.get(principle.pk)
            field = forms.CharField(
                label=f"{principle.number}. {principle.name}",
                required=False,
                max_length=MAX_STATEMENT_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=statement.text if statement else "",
                help_text=statement.get_status_display() if statement else "",
            )
            self.fields[f"principle_{principle.pk}"] = field

    def texts(self) -> dict[int, str]:
        return {
            int(name.removeprefix("principle_")): value for name, value in self.cleaned_data.items()
        }
