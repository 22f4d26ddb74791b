"""Text hygiene: input cleaned of control characters, Markdown always sanitised."""

import re

import markdown as md
import nh3

_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")

# Control characters never meant as text: C0 (but tab and newline), DEL and C1.
# NUL cannot even be stored by PostgreSQL. They are removed, not refused: a paste
# from another program may carry one, and the writer cannot see it to delete it.
_CONTROL = {
    c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
}
_CONTROL[0x0D] = None  # carriage returns: "\r\n" and a lone "\r" both end a line below
# Lone UTF-16 surrogates (JSON "\ud800") cannot be encoded as UTF-8 by the database.
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_input(text: str) -> str:
    """Return text without control characters (tab and newline stay) or lone surrogates.

    Every text a client sends is passed through this before validation, so what is
    checked for length and stored is what will be shown.
    """
    if not isinstance(text, str):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_CONTROL)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("", text)
    return text


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
