"""Markdown from templates renders as expected and is always sanitised."""

from facilitator.text import render_markdown


def test_list_right_after_a_line_becomes_a_list():
    """Template authors' lists without a blank line above still render as lists."""
    html = render_markdown("**Pelisäännöt**\n- Avoimesti\n- Luottamuksellisesti")
    assert "<ul>" in html and html.count("<li>") == 2


def test_scripts_event_handlers_and_javascript_links_are_removed():
    """Raw HTML and dangerous links never survive rendering."""
    html = render_markdown(
        "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1)) "
        '<a href="https://example.fi" onclick="evil()">ok</a>'
    )
    assert "<script" not in html and "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html and "<img" not in html
    assert 'href="https://example.fi"' in html


def test_empty_text_renders_nothing():
    """Missing notes or prompts render as an empty string."""
    assert render_markdown(None) == "" and render_markdown("") == ""
