"""Rich text of offers: a small allow-list of tags, no scripts, styles or event handlers."""

import nh3

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
ATTRIBUTES = {"a": {"href", "title"}}


def clean_html(html: str) -> str:
    """Keep simple formatting; links may only be http(s) or mailto and open safely."""
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
