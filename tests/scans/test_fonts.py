"""Fonts: every role resolves to a font that draws what the role needs; a font without the
Vietnamese letters is rejected; a missing package gives a Vietnamese message."""

from pathlib import Path

import pytest

from scans import fonts
from scans.fonts import (
    REQUIRED,
    FontMissingError,
    FontRole,
    check_all,
    covers_vietnamese,
    missing_glyphs,
)

# Fonts known (Debian 13) to lack the Vietnamese letters with a dot below or a hook above.
LACKING = (
    "/usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf",
    "/usr/share/fonts/truetype/gnutypewriter/GNUTypewriter.ttf",
    "/usr/share/fonts/opentype/courier-prime/Courier Prime.otf",
)


def test_every_role_has_a_covering_font() -> None:
    for role, choice in check_all().items():
        assert missing_glyphs(choice.path, REQUIRED[role]) == ""
        if role is not FontRole.TYPEWRITER_LATIN:
            assert choice.covers_vietnamese


def test_coverage_check_rejects_a_font_without_vietnamese() -> None:
    # fonts-urw-base35 and fonts-gnutypewriter are installed by tools/system-packages.txt
    present = [Path(p) for p in LACKING if Path(p).is_file()]
    assert present, "fonts-urw-base35 / fonts-gnutypewriter missing: run make setup"
    for path in present:
        missing = missing_glyphs(path, fonts.VIETNAMESE_LETTERS)
        assert "ạ" in missing or "ả" in missing
        assert not covers_vietnamese(path)


def test_vendored_handwriting_fonts_cover_vietnamese() -> None:
    for name in ("PatrickHand-Regular.ttf", "DancingScript-Regular.ttf"):
        assert covers_vietnamese(fonts.VENDORED_DIR / name)


def test_missing_font_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        fonts.CANDIDATES, FontRole.SERIF, (fonts.Candidate("NoSuchFont.ttf", "fonts-no-such"),)
    )
    fonts.font_for.cache_clear()
    try:
        with pytest.raises(FontMissingError, match="fonts-no-such"):
            fonts.font_for(FontRole.SERIF)
    finally:
        fonts.font_for.cache_clear()


def test_a_font_comes_from_its_own_package_when_several_ship_the_same_file() -> None:
    """Chromium pulls in fonts-liberation 1.x beside fonts-liberation2: the samples must still
    be drawn with fonts-liberation2's faces, or they change with what else is installed."""
    from scans.fonts import CANDIDATES, FontRole, font_for

    choice = font_for(FontRole.SERIF)
    expected = next(c for c in CANDIDATES[FontRole.SERIF] if c.file_name == choice.path.name)
    assert choice.path.parent.name == expected.package.removeprefix("fonts-")
