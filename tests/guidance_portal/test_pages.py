import re

import pytest
from django.urls import reverse
from django.utils import translation

PAGES = ["home", "accessibility", "privacy", "legal"]
LANGUAGES = ["fr", "nl", "en"]

pytestmark = pytest.mark.django_db


def url_in(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


def test_root_redirects_to_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_root_follows_the_browser_language(client):
    response = client.get("/", headers={"accept-language": "nl-BE,nl;q=0.9"})
    assert response["Location"] == "/nl/"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_renders_in_each_language(client, name, language):
    url = url_in(name, language)
    assert url.startswith(f"/{language}/")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert 'href="#main"' in html and 'id="main"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_titles_are_unique_per_page(client, language):
    titles = set()
    for name in PAGES:
        html = client.get(url_in(name, language)).content.decode()
        titles.add(re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip())
    assert len(titles) == len(PAGES)


def test_pages_are_written_in_their_language(client):
    french = client.get(url_in("privacy", "fr")).content.decode()
    dutch = client.get(url_in("privacy", "nl")).content.decode()
    english = client.get(url_in("privacy", "en")).content.decode()
    assert "données" in french
    assert "gegevens" in dutch
    assert "data" in english


def test_language_switcher_links_to_the_same_page(client):
    html = client.get(url_in("privacy", "fr")).content.decode()
    assert f'href="{url_in("privacy", "nl")}"' in html
    assert f'href="{url_in("privacy", "en")}"' in html


def test_language_switcher_keeps_the_query_and_the_path_arguments(client):
    html = client.get(reverse("offers:search"), {"q": "métier", "free": "1"}).content.decode()
    with translation.override("nl"):
        dutch = reverse("offers:search")
    assert f'href="{dutch}?q=m%C3%A9tier&amp;free=1"' in html
    with translation.override("en"):
        english = reverse("charter:version", kwargs={"pk": 7})
    html = client.get(english).content.decode()  # a 404 page still offers its languages
    with translation.override("fr"):
        assert f'href="{reverse("charter:version", kwargs={"pk": 7})}"' in html


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/nl/bestaat-niet/")
    assert response.status_code == 404
    assert '<html lang="nl">' in response.content.decode()


def test_security_headers_are_sent(client):
    response = client.get(url_in("home", "fr"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_contain_no_inline_script_or_style(client):
    for language in LANGUAGES:
        for name in PAGES:
            html = client.get(url_in(name, language)).content.decode()
            assert "<script" not in html
            assert " style=" not in html and "<style" not in html
