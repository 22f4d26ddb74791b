"""The interface, the catalogs and the workshop templates keep to docs/glossary.md.

The glossary's machine-readable avoid list names, per language, the words that must not
come back (e.g. Finnish "toimenpide" and "teot" for an agreed action, "valkokangas" for
the projector). A translator, a template author or a developer who brings one back
gets a failing test that names the text and the word to use instead.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
TRANSLATIONS = ROOT / "facilitator" / "translations"
MODELS = ROOT / "workshop_models"
LANGS = ("fi", "sv", "en")
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")

# English msgids that still break the glossary, in files other people were editing when
# the glossary was written; each waits for the change named here. Remove a line when the
# msgid is gone (test_pending_english_is_still_needed says when).
PENDING_EN = {}


@functools.cache
def avoid_list() -> dict[str, list[tuple[re.Pattern, str]]]:
    """Return the compiled avoid patterns per language from the glossary's YAML block."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## Avoid list (machine-readable)", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    data = yaml.safe_load(block)
    return {
        lang: [(re.compile(e["avoid"], re.I), e["use"]) for e in data.get(lang, [])]
        for lang in LANGS
    }


def catalog_texts(lang: str) -> list[tuple[str, str]]:
    """Return (where, text) for every Finnish or Swedish translation in the catalog."""
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        po = read_po(f, locale=lang)
    out = []
    for m in po:
        if not m.id:
            continue
        first = m.id if isinstance(m.id, str) else m.id[0]
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        out += [(f"{lang}/messages.po: {first!r}", s) for s in strings if s]
    return out


def english_msgids() -> list[tuple[str, str]]:
    """Return (where, text) for every English source string in the extracted template."""
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        pot = read_po(f)
    out = []
    for m in pot:
        if not m.id:
            continue
        for text in [m.id] if isinstance(m.id, str) else list(m.id):
            out.append(("messages.pot", text))
    return out


def model_texts(lang: str) -> list[tuple[str, str]]:
    """Return (where, text) for every text of one language in the workshop templates."""
    out = []

    def walk(node, path: str, where: str):
        if isinstance(node, dict):
            if "fi" in node and all(isinstance(v, str) for v in node.values()):
                if isinstance(node.get(lang), str):
                    out.append((f"{where}: {path}.{lang}", node[lang]))
                return
            for key, value in node.items():
                if key in ("id", "kind", "source", "wall", "show_results"):
                    continue
                walk(value, f"{path}.{key}" if path else str(key), where)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]", where)
        elif isinstance(node, str) and lang == "fi":
            out.append((f"{where}: {path}", node))

    for file in sorted(MODELS.glob("*.y*ml")):
        walk(yaml.safe_load(file.read_text(encoding="utf-8")), "", file.name)
    return out


def violations(lang: str, texts: list[tuple[str, str]]) -> list[str]:
    """Return one line per text that uses a word the glossary says to avoid."""
    found = []
    for where, text in texts:
        # Placeholders are code ({mean}), and a line break is a space ("first\nstep").
        plain = " ".join(PLACEHOLDER.sub(" ", text).split())
        for pattern, use in avoid_list()[lang]:
            match = pattern.search(plain)
            if match:
                found.append(f"{where}: {match.group(0)!r} -> use {use!r} in {text!r}")
    return found


def test_avoid_list_is_readable_and_catches_the_old_words():
    """The glossary's list parses and flags the words the item was about."""
    avoid = avoid_list()
    assert all(avoid[lang] for lang in LANGS)
    old = {
        "fi": ["Sovitaan teot", "Lisää toimenpide", "Näkyy valkokankaalla", "Fasilitaattorin"],
        "sv": ["Handledarens anteckningar", "Steg 2 av 5", "också förmannens"],
        "en": ["shown on the main screen", "New step: Vote", "Mean"],
    }
    for lang, samples in old.items():
        assert all(violations(lang, [("sample", s)]) for s in samples), lang
    fine = {
        "fi": ["Sovitut asiat", "Ensimmäinen askel", "Tekemättä", "Teema", "Tehty"],
        "sv": ["Första steget", "Skede 2 av 5", "Förmåga", "Överenskomna åtgärder"],
        "en": ["First step", "Phase 2 of 5", "Average", "Agreed actions"],
    }
    for lang, samples in fine.items():
        assert [v for s in samples for v in violations(lang, [("sample", s)])] == [], lang


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_catalog_keeps_to_the_glossary(lang):
    """No Finnish or Swedish translation uses a word the glossary says to avoid."""
    found = violations(lang, catalog_texts(lang))
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("lang", LANGS)
def test_workshop_templates_keep_to_the_glossary(lang):
    """No template title, prompt, note or label uses a word the glossary says to avoid."""
    texts = model_texts(lang)
    assert texts, f"no {lang} texts found in {MODELS}"
    found = violations(lang, texts)
    assert found == [], "\n".join(found)


def test_english_source_keeps_to_the_glossary():
    """No English msgid uses a word the glossary says to avoid (known pending ones aside)."""
    found = violations("en", [t for t in english_msgids() if t[1] not in PENDING_EN])
    assert found == [], "\n".join(found)


def test_pending_english_is_still_needed():
    """Every pending exception still exists and still breaks the glossary."""
    ids = {text for _, text in english_msgids()}
    stale = [m for m in PENDING_EN if m not in ids or not violations("en", [("", m)])]
    assert stale == [], f"fixed now, remove from PENDING_EN: {stale}"
