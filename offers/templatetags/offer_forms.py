from django import template

register = template.Library()


@register.filter
def split_words(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name: str):
    """A form's bound field by name, for laying fields out in groups."""
    return form[name]


@register.filter
def rich_text(value: str) -> str:
    """Offer descriptions, sanitised again at display whatever path wrote them."""
    from django.utils.safestring import mark_safe

    from offers.sanitize import clean_html

    return mark_safe(clean_html(value))  # noqa: S308 - nh3 output
