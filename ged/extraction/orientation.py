"""A fast guess of a page's orientation from the shape of its ink, before any OCR is run.

Tesseract's own orientation detection (OSD) costs about as much as reading the page, so the
pipeline first looks at the ink: text lines show as stripes along the rows (upright or upside
down) or along the columns (sideways); and in Latin script, ink above the x-height band
(capitals, ascenders, French accents) outweighs ink below it (descenders), which tells up from
down. Only when this guess is unsure, or the text then reads badly, does the pipeline ask OSD.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

STRIP = 64  # pixels (at the working scale): narrow enough that a skew of a few degrees stays sharp
WORKING_WIDTH = 1200  # pixels of the long side, give or take a factor of two


@dataclass(frozen=True)
class Guess:
    """Degrees to turn the page counter-clockwise so that it reads upright, and how sure."""

    rotation: int
    sure: bool


def grey(image: Image.Image) -> Image.Image:
    """The page in 8-bit grey; transparent parts become paper, not ink."""
    if image.mode == "L":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, image.convert("RGBA")).convert("L")
    return image.convert("L")


def reduced(image: Image.Image) -> Image.Image:
    """The page in grey at about ``WORKING_WIDTH`` pixels: enough to see lines and letters."""
    grey_page = grey(image)
    factor = max(image.size) // WORKING_WIDTH
    return grey_page.reduce(factor) if factor > 1 else grey_page


def _ink(small: Image.Image) -> np.ndarray:
    pixels = np.asarray(small, dtype=np.uint8)
    return pixels < min(int(pixels.mean()) - 40, 140)


def _striped(profiles: np.ndarray) -> float:
    """How much the ink alternates between lines and gaps along the profiles' axis."""
    mean = profiles.mean(axis=1, keepdims=True) + 1e-6
    return float((profiles.std(axis=1, keepdims=True) / mean).mean())


def _strips(ink: np.ndarray) -> np.ndarray:
    """Row profiles of vertical strips: one row per strip, ink counted per pixel row."""
    width = ink.shape[1] - ink.shape[1] % STRIP
    if width == 0:
        return ink.sum(axis=1, dtype=np.int32)[None, :]
    return ink[:, :width].reshape(ink.shape[0], -1, STRIP).sum(axis=2, dtype=np.int32).T


def _above_minus_below(ink: np.ndarray) -> float:
    """(ink above the x-height band − ink below it) / both, over every line of every strip."""
    above = below = 0
    for profile in _strips(ink):
        if profile.max() == 0:
            continue
        inked = profile > 0
        edges = np.flatnonzero(np.diff(np.concatenate(([0], inked.astype(np.int8), [0]))))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            line = profile[start:end]
            if end - start < 4:
                continue
            core = np.flatnonzero(line >= 0.5 * line.max())
            above += int(line[: core[0]].sum())
            below += int(line[core[-1] + 1:].sum())
    total = above + below
    return 0.0 if total == 0 else (above - below) / total


def guess(small: Image.Image) -> Guess:
    """Guess how the page must be turned, from its ``reduced()`` image; ``sure`` is False when
    the ink is too ambiguous."""
    ink = _ink(small)
    if ink.sum() < 500:
        return Guess(0, False)
    rows, cols = _striped(_strips(ink)), _striped(_strips(ink.T))
    sideways = cols > rows * 1.15
    if not sideways and rows < cols * 1.15:
        return Guess(0, False)
    # Turned so that the lines run along the rows, the page is either upright or upside down.
    upright = np.rot90(ink, 1) if sideways else ink
    score = _above_minus_below(upright)
    base = 90 if sideways else 0
    rotation = base if score > 0 else (base + 180) % 360
    return Guess(rotation, abs(score) > 0.12)
