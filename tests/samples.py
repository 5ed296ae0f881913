"""Small generated score sheets with ground truth, for tests of the stages that read them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from records.export_format import flat_fields
from records.vocabulary import Level
from scans.degrade import Degradation
from scans.generator import DocSpec, generate_document
from scans.layout import Orientation, Ruling
from scans.styles import Style
from scans.writer import FileFormat


@dataclass
class Document:
    image: np.ndarray  # first page, gray
    truth: list[dict[str, Any]]
    path: Path

    def truth_values(self, name: str) -> list[Any]:
        return [flat_fields(row).get(name, {}).get("value") for row in self.truth]


def render(
    folder: Path,
    index: int,
    style: Style,
    ruling: Ruling,
    year: int,
    level: Level,
    rotation: int = 0,
) -> Document:
    spec = DocSpec(
        index=index,
        style=style,
        degradation=Degradation.CLEAN,
        ruling=ruling,
        orientation=Orientation.PORTRAIT,
        fmt=FileFormat.PNG,
        pages=1,
        year=year,
        level=level,
        gray=True,
        rotations=(rotation,),
        corrections=(False,),
        stamps=(False,),
    )
    truth, files = generate_document(spec, 2024, 200, folder)
    path = folder / files[0]["file"]
    with Image.open(path) as image:
        gray = np.asarray(image.convert("L"))
    return Document(gray, [r for r in truth if r["page"] == 1], path)
