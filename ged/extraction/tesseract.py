"""Tesseract's command line, one page at a time: text, word confidences and a PDF page at once."""

from __future__ import annotations

import csv
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ged.errors import ExtractionFailed

# Two tesseracts on two cores are nine times faster when OpenMP does not oversubscribe them.
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)
_ORIENTATION_CONF = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.MULTILINE)


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float | None
    words: int
    pdf: Path | None


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(["tesseract", *args], capture_output=True, text=True,
                              timeout=timeout, env=ENV, check=False)
    except FileNotFoundError:
        raise ExtractionFailed("tesseract n'est pas installé sur ce serveur.") from None
    except subprocess.TimeoutExpired:
        raise ExtractionFailed(f"la lecture a dépassé {timeout:.0f} secondes.") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or ["sans message"]
        raise ExtractionFailed(f"tesseract a échoué ({detail[0]}).")
    return done


def _confidence(tsv: Path) -> tuple[float | None, int]:
    """Mean confidence of the recognised words (tesseract's word level, 0–100)."""
    confidences = []
    with tsv.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("level") == "5" and (row.get("text") or "").strip():
                value = float(row["conf"])
                if value >= 0:
                    confidences.append(value)
    if not confidences:
        return None, 0
    return sum(confidences) / len(confidences), len(confidences)


class Tesseract:
    """The tesseract command line for one language, with a time limit per call."""

    def __init__(self, lang: str = "fra", timeout: float = 300.0) -> None:
        self.lang = lang
        self.timeout = timeout

    def read(self, image: Path, out_base: Path, dpi: int, pdf: bool = False) -> Reading:
        """Read one page image; with ``pdf``, also write ``out_base.pdf`` (image + text layer)."""
        renderers = ["txt", "tsv", *(["pdf"] if pdf else [])]
        _run([str(image), str(out_base), "-l", self.lang, "--dpi", str(dpi), *renderers],
             self.timeout)
        text = out_base.with_suffix(".txt").read_text(encoding="utf-8")
        confidence, words = _confidence(out_base.with_suffix(".tsv"))
        page_pdf = out_base.with_suffix(".pdf") if pdf else None
        return Reading(_clean(text), confidence, words, page_pdf)

    def orientation(self, image: Path, dpi: int) -> int | None:
        """Degrees to turn the image counter-clockwise to make it upright; None if unsure."""
        try:
            done = _run([str(image), "-", "--psm", "0", "--dpi", str(dpi)], self.timeout)
        except ExtractionFailed:
            return None  # too few characters for OSD: nothing to turn
        rotate, conf = _ROTATE.search(done.stdout), _ORIENTATION_CONF.search(done.stdout)
        if rotate is None or conf is None or float(conf.group(1)) < 1.0:
            return None
        # OSD says how far to turn clockwise; Pillow's rotate() turns counter-clockwise.
        return (360 - int(rotate.group(1))) % 360


def _clean(text: str) -> str:
    """Tesseract's text without its trailing form feed and blank tail lines."""
    return text.replace("\f", "").strip("\n")
