"""Generated pages with ground truth, rendered once per test session."""

from __future__ import annotations

import pytest

from records.vocabulary import Level
from scans.layout import Ruling
from scans.styles import Style
from tests.samples import Document, render


@pytest.fixture(scope="session")
def printed_page(tmp_path_factory: pytest.TempPathFactory) -> Document:
    """A clean, fully ruled 1990s computer-printed sheet."""
    return render(
        tmp_path_factory.mktemp("printed"), 1, Style.COMPUTER_PRINT, Ruling.FULL, 1996, Level.THPT
    )


@pytest.fixture(scope="session")
def unruled_page(tmp_path_factory: pytest.TempPathFactory) -> Document:
    return render(
        tmp_path_factory.mktemp("unruled"), 2, Style.COMPUTER_PRINT, Ruling.NONE, 1998, Level.THCS
    )
