"""Headless Chromium for the page tests: Debian's /usr/bin/chromium driven by Playwright, never a download."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: Mark a page test module with this: it is skipped where Debian's chromium is missing.
needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed (.ci/setup installs it)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def screenshot_ok(path: Path, width: int, height: int) -> Image.Image:
    """The screenshot at `path`: of the expected size (to a pixel: boxes may start mid-pixel), not blank."""
    image = Image.open(path).convert("RGB")
    assert abs(image.width - width) <= 1 and abs(image.height - height) <= 1, (image.size, width, height)
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 8, "the screenshot is blank"
    return image
