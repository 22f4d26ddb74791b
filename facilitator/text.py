"""Markdown rendering that is always sanitised."""

import re

import markdown as md
import nh3

_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text: str | None) -> str:
    """Render Markdown to HTML with everything but plain formatting stripped."""
    if not text:
        return ""
    html = md.markdown(
        _separate_lists(text), extensions=["tables", "sane_lists"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _separate_lists(text: str) -> str:
    """Put a blank line before a list that directly follows a paragraph line.

    Template authors (and most Markdown dialects) expect that to start a list;
    Python-Markdown would otherwise fold the items into the paragraph.
    """
    out: list[str] = []
    for line in text.splitlines():
        previous = out[-1] if out else ""
        if _LIST_ITEM.match(line) and previous.strip() and not _LIST_ITEM.match(previous):
            out.append("")
        out.append(line)
    return "\n".join(out)
