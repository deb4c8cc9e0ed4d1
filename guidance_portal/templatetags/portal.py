from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.encoding import iri_to_uri
from django.utils.translation import get_language_info, override

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
                "url": _in_language(request, code),
                "is_current": code == current,
            }
        )
    return links


def _in_language(request, code: str) -> str:
    """The current URL in another language, from the view already resolved when possible."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name:
        try:
            with override(code):
                url = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            pass
        else:
            query = iri_to_uri(request.META.get("QUERY_STRING", ""))  # as get_full_path()
            return f"{url}?{query}" if query else url
    return translate_url(request.get_full_path(), code)
