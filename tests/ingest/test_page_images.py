"""Pages of a PDF come from its embedded scan image, decoded exactly once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ingest.page_images import load_page


def _page(mode: str) -> Image.Image:
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(300, 200), dtype=np.uint8)
    pixels[100:120, :] = 0  # a rule, so the page is not noise alone
    image = Image.fromarray(pixels)
    return image.convert(mode)


def _pdfimages_png(pdf: Path, folder: Path) -> np.ndarray:
    subprocess.run(
        ["pdfimages", "-f", "1", "-l", "1", "-png", str(pdf), str(folder / "ref")],
        check=True,
    )
    [png] = sorted(folder.glob("ref-*.png"))
    with Image.open(png) as image:
        return np.asarray(image.convert("L"))


@pytest.mark.parametrize("mode", ["L", "RGB", "P"])
def test_an_embedded_image_gives_the_pixels_poppler_decodes(mode: str, tmp_path: Path) -> None:
    """A JPEG (gray or colour) is decoded from the JPEG itself, any other image from
    poppler's PNG: the same pixels either way."""
    pdf = tmp_path / f"scan-{mode}.pdf"
    _page(mode).save(pdf, format="PDF", resolution=200)
    page = load_page(pdf, "pdf", 1, max_pixels=10_000_000)
    assert page.dtype == np.uint8
    assert page.shape == (300, 200)
    assert np.array_equal(page, _pdfimages_png(pdf, tmp_path))
