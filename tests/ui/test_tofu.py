"""No missing glyphs: every string in every language, laid out in that language's font (glyph index 0 = tofu)."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QFontDatabase, QTextLayout

from kiosk.core.outcome import strings
from kiosk.ui.shared import theme


def missing_glyphs(text: str, language: str) -> list[str]:
    layout = QTextLayout(text, theme.language_font(language, 40))
    layout.beginLayout()
    while layout.createLine().isValid():
        pass
    layout.endLayout()
    missing = []
    for run in layout.glyphRuns():
        if 0 in run.glyphIndexes():
            missing.append(run.rawFont().familyName())
    return missing


def test_the_chosen_families_are_installed(qapp):
    families = set(QFontDatabase.families())
    for language in strings.LANGUAGES:
        assert theme.FAMILIES[language][0] in families, language


@pytest.mark.parametrize("language", strings.LANGUAGES)
def test_no_tofu_in_any_string(qapp, language):
    texts = [strings.text(key, language) for key in strings.all_text_keys()]
    texts += [strings.spoken(key, language) for key in strings.PROMPT_KEYS]
    texts += list(strings.LANGUAGE_NAMES.values()) + ["张*  110105********002X  ⌫ 🔊"[:-1]]
    bad = {text: missing for text in texts if (missing := missing_glyphs(text, language))}
    assert not bad


def test_the_detector_does_find_tofu(qapp):
    assert missing_glyphs("\U000E0100\uFFFF\U0010FFFD", "en")
