"""Find the fonts of each rendering style and check that they really draw Vietnamese.

Why a check: many fonts that look right (GNU Typewriter, Courier Prime, the URW base-35 clones,
Dancing Script as packaged by Debian) lack the Vietnamese letters with a dot below or a hook
above; FreeType then draws the .notdef box, or nothing, and the sample sheets would silently
carry boxes where the ground truth has letters.  So every font is tested glyph by glyph before
a style may use it: a letter is covered when its rendered mask is not empty and differs from
the mask of characters no font has (the .notdef glyph).

Findings on Debian 13 (see scans/fonts/README.md): Liberation Serif/Sans/Mono, FreeSerif/Sans/
Mono, DejaVu Serif/Sans and Andika cover Vietnamese; GNU Typewriter and Courier Prime do not
(used only for the "typewriter without diacritics" style, whose marks are added by pen); no
Debian handwriting font covers Vietnamese, so two OFL handwriting fonts are vendored in
scans/fonts/ (Patrick Hand, Dancing Script from Google Fonts).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from PIL import ImageFont

VIETNAMESE_LOWER = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
VIETNAMESE_LETTERS = VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper()
LATIN_BASIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS_AND_MARKS = "0123456789,.-/:()+"

# Characters assigned to no glyph in any sane font: they render as .notdef.
_NOTDEF_PROBES = ("\U0010fffd", "\u0378", "\uffff")

FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)
VENDORED_DIR = Path(__file__).resolve().parent / "fonts"


class FontRole(StrEnum):
    """What a font is used for on a sheet."""

    SERIF = "serif"  # 1990s computer print, .VnTime look; also the dot-matrix source
    SERIF_BOLD = "serif_bold"  # titles (.VnTimeH look)
    SANS = "sans"  # draft-mode dot-matrix
    SANS_BOLD = "sans_bold"  # seals and stamps
    MONO = "mono"  # typewriters that had Vietnamese type
    MONO_BOLD = "mono_bold"
    TYPEWRITER_LATIN = "typewriter_latin"  # typewriters without diacritics (marks by pen)
    HAND = "hand"  # handwritten ledgers, corrections, signatures' names
    HAND_CURSIVE = "hand_cursive"


@dataclass(frozen=True)
class Candidate:
    file_name: str
    package: str  # Debian package, or "vendored" for scans/fonts/


# Preference order per role; the first installed font that passes the coverage check wins.
CANDIDATES: dict[FontRole, tuple[Candidate, ...]] = {
    FontRole.SERIF: (
        Candidate("LiberationSerif-Regular.ttf", "fonts-liberation2"),
        Candidate("FreeSerif.ttf", "fonts-freefont-ttf"),
        Candidate("DejaVuSerif.ttf", "fonts-dejavu-core"),
    ),
    FontRole.SERIF_BOLD: (
        Candidate("LiberationSerif-Bold.ttf", "fonts-liberation2"),
        Candidate("FreeSerifBold.ttf", "fonts-freefont-ttf"),
        Candidate("DejaVuSerif-Bold.ttf", "fonts-dejavu-core"),
    ),
    FontRole.SANS: (
        Candidate("LiberationSans-Regular.ttf", "fonts-liberation2"),
        Candidate("FreeSans.ttf", "fonts-freefont-ttf"),
        Candidate("DejaVuSans.ttf", "fonts-dejavu-core"),
    ),
    FontRole.SANS_BOLD: (
        Candidate("LiberationSans-Bold.ttf", "fonts-liberation2"),
        Candidate("FreeSansBold.ttf", "fonts-freefont-ttf"),
        Candidate("DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    ),
    FontRole.MONO: (
        Candidate("FreeMono.ttf", "fonts-freefont-ttf"),
        Candidate("LiberationMono-Regular.ttf", "fonts-liberation2"),
    ),
    FontRole.MONO_BOLD: (
        Candidate("FreeMonoBold.ttf", "fonts-freefont-ttf"),
        Candidate("LiberationMono-Bold.ttf", "fonts-liberation2"),
    ),
    FontRole.TYPEWRITER_LATIN: (
        Candidate("GNUTypewriter.ttf", "fonts-gnutypewriter"),
        Candidate("Courier Prime.otf", "fonts-courier-prime"),
        Candidate("FreeMono.ttf", "fonts-freefont-ttf"),
    ),
    FontRole.HAND: (Candidate("PatrickHand-Regular.ttf", "vendored"),),
    FontRole.HAND_CURSIVE: (
        Candidate("DancingScript-Regular.ttf", "vendored"),
        Candidate("PatrickHand-Regular.ttf", "vendored"),
    ),
}

# What each role must draw.  Latin-only roles get their diacritics from the pen.
REQUIRED: dict[FontRole, str] = {
    role: VIETNAMESE_LETTERS + DIGITS_AND_MARKS for role in FontRole
} | {FontRole.TYPEWRITER_LATIN: LATIN_BASIC + DIGITS_AND_MARKS}


class FontMissingError(RuntimeError):
    """No installed font of a role draws every letter the role needs."""


@dataclass(frozen=True)
class FontChoice:
    role: FontRole
    path: Path
    package: str
    covers_vietnamese: bool


@cache
def _installed_files() -> dict[str, list[Path]]:
    """Font file name -> every path it has, over the system font folders and the vendored
    ones.  One name may be in several packages: chromium pulls in fonts-liberation (1.x), whose
    LiberationSerif-Regular.ttf draws differently from fonts-liberation2's."""
    found: dict[str, list[Path]] = {}
    for root in (VENDORED_DIR, *FONT_DIRS):
        if not root.is_dir():
            continue
        for folder, _dirs, files in sorted(os.walk(root)):
            for name in sorted(files):
                found.setdefault(name, []).append(Path(folder) / name)
    return found


def _path_of(candidate: Candidate, paths: list[Path]) -> Path:
    """The candidate's file from its own package (fonts-liberation2 -> .../liberation2/), so
    sample scans look the same whatever else is installed; else the first found."""
    folder = candidate.package.removeprefix("fonts-")
    return next((p for p in paths if p.parent.name == folder), paths[0])


def _mask_key(font: ImageFont.FreeTypeFont, ch: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(ch)
    return mask.size, bytes(mask)


@cache
def missing_glyphs(path: Path, chars: str) -> str:
    """The characters of ``chars`` that the font at ``path`` cannot draw (empty if none).

    The basic layout engine is used on purpose: it maps each character to one glyph, with no
    fallback composition from base letter plus combining mark, which is what we must know.
    """
    font = ImageFont.truetype(str(path), 48, layout_engine=ImageFont.Layout.BASIC)
    notdef = {_mask_key(font, p) for p in _NOTDEF_PROBES}
    missing: list[str] = []
    for ch in dict.fromkeys(chars):
        key = _mask_key(font, ch)
        if key in notdef or not any(key[1]):
            missing.append(ch)
    return "".join(missing)


def covers_vietnamese(path: Path) -> bool:
    return not missing_glyphs(path, VIETNAMESE_LETTERS)


@cache
def font_for(role: FontRole) -> FontChoice:
    """The font of ``role``; FontMissingError (Vietnamese message) if none is usable."""
    files = _installed_files()
    rejected: list[str] = []
    for cand in CANDIDATES[role]:
        paths = files.get(cand.file_name)
        if not paths:
            continue
        path = _path_of(cand, paths)
        missing = missing_glyphs(path, REQUIRED[role])
        if missing:
            rejected.append(f"{cand.file_name} (thiếu: {missing[:12]}…)")
            continue
        return FontChoice(role, path, cand.package, covers_vietnamese(path))
    packages = sorted({c.package for c in CANDIDATES[role] if c.package != "vendored"})
    hint = (
        "cài một trong các gói Debian: "
        + ", ".join(packages)
        + f" (apt-get install -y {packages[0]})"
        if packages
        else "các phông kèm theo trong scans/fonts/ đã bị xoá; hãy khôi phục chúng"
    )
    tried = "; đã loại: " + "; ".join(rejected) if rejected else ""
    raise FontMissingError(
        f"Không tìm thấy phông chữ cho kiểu «{role}» vẽ được đủ chữ cần thiết: {hint}{tried}."
    )


@cache
def load_font(role: FontRole, size_px: int) -> ImageFont.FreeTypeFont:
    """The font of ``role`` at ``size_px`` pixels (cached: sheets reuse a few sizes)."""
    return ImageFont.truetype(str(font_for(role).path), max(4, size_px))


def check_all() -> dict[FontRole, FontChoice]:
    """Resolve every role now, so a missing package is reported before rendering starts."""
    return {role: font_for(role) for role in FontRole}
