"""Every interface string is extracted, translated to Finnish and Swedish, and compiled."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "facilitator" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|%s")


def catalog(lang: str):
    """Return the .po catalog of a language."""
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def msgids(messages) -> set:
    """Return the message ids of a catalog."""
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def test_template_of_strings_is_up_to_date(tmp_path):
    """The extracted strings equal what the code and templates use now."""
    out = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(out, "rb") as f:
        fresh = msgids(read_po(f))
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        committed = msgids(read_po(f))
    assert fresh - committed == set(), "run scripts/update_translations.sh"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_catalog_is_complete_and_placeholders_match(lang):
    """Every string has a translation that keeps its placeholders."""
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        wanted = msgids(read_po(f))
    po = catalog(lang)
    missing, broken = [], []
    for message in po:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(strings):
            missing.append(ids[0])
            continue
        for text in strings:
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(ids[-1])) and sorted(
                PLACEHOLDER.findall(text)
            ) != sorted(PLACEHOLDER.findall(ids[0])):
                broken.append((ids[0], text))
    assert missing == [], f"{len(missing)} untranslated in {lang}, e.g. {missing[:5]}"
    assert broken == []
    assert wanted <= msgids(po)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_compiled_catalog_matches_source(lang):
    """The committed .mo holds exactly the translations of the .po."""
    po = {_key(m.id): _key(m.string) for m in catalog(lang) if m.id and not m.fuzzy}
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as f:
        mo = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    assert mo == po, "run scripts/update_translations.sh"


def _key(value):
    """Return a message id or string as a hashable value (plural forms are lists in a .mo)."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_pages_are_finnish_by_default_and_switch_language(client):
    """The landing page speaks Finnish first; the language links switch it."""
    finnish = client.get("/").get_data(as_text=True)
    assert '<html lang="fi">' in finnish
    client.get("/lang/en")
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in english
    client.get("/lang/sv")
    swedish = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in swedish
    assert len({finnish, english, swedish}) == 3
