from django import forms
from django.utils.translation import gettext_lazy as _

from charter.services import MAX_STATEMENT_LENGTH


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
