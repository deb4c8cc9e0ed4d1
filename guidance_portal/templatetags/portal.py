from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """The current page in each language, for the switcher (plain links, no JavaScript)."""
    request = context.get("request")
    if request is None:  # e.g. the CSRF failure page is rendered without a request
        return []
    current = context.get("LANGUAGE_CODE", settings.LANGUAGE_CODE)
    links = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "url": translate_url(request.get_full_path(), code),
                "is_current": code == current,
            }
        )
    return links
