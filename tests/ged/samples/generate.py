"""Regenerates the sample files of the GED tests: ``python tests/ged/samples/generate.py``.

French letters drawn with DejaVu Sans (clean, skewed, noisy, low resolution, turned 90° and
180°, a multi-page TIFF, a phone photo), a born-digital and a mixed PDF, and the bad files the
GED must refuse or fail on. ``verites.json`` holds each letter's ground truth. The encrypted PDF
needs Debian's ``qpdf``; without it the committed one is kept.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from ged.demo import letters as L  # noqa: E402
from ged.demo.pdfwriter import write_pdf  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    truths: dict[str, str] = {}

    def letter(seed: int) -> tuple[list[str], object]:
        lines = L.letter_lines(seed)
        return lines, L.render(lines)

    def save(name: str, data: bytes, lines: list[str] | None = None) -> None:
        (HERE / name).write_bytes(data)
        if lines is not None:
            truths[name] = L.ground_truth(lines)

    lines, page = letter(1)
    save("lettre-propre.png", L.encode(page, "PNG", optimize=True), lines)
    lines, page = letter(2)
    save("lettre-inclinee.jpg", L.encode(L.skewed(page, 2.0), "JPEG", quality=60), lines)
    lines, page = letter(3)
    save("lettre-bruitee.jpg", L.encode(L.noisy(page, seed=3), "JPEG", quality=35), lines)
    lines = L.letter_lines(4)
    save("lettre-basse-resolution.png", L.encode(L.low_resolution(lines), "PNG", dpi=150,
                                                  optimize=True), lines)
    lines, page = letter(5)
    save("lettre-tournee-90.png", L.encode(L.rotated(page, 90), "PNG", optimize=True), lines)
    lines, page = letter(6)
    save("lettre-tournee-180.jpg", L.encode(L.rotated(page, 180), "JPEG", quality=60), lines)
    lines, page = letter(7)
    save("photo-lettre.jpg", L.encode(L.photo(page, seed=7).resize((1300, 1800)), "JPEG",
                                      dpi=150, quality=70), lines)
    letters = [L.letter_lines(seed) for seed in (8, 9, 10)]
    pages = [L.render(lines) for lines in letters]
    save("liasse.tif", L.tiff([pages[0], L.rotated(pages[1], 180), pages[2]]))
    truths["liasse.tif"] = "\f".join(L.ground_truth(lines) for lines in letters)
    born = [L.letter_lines(11), L.letter_lines(12)]
    save("nee-numerique.pdf", L.born_digital_pdf(born))
    truths["nee-numerique.pdf"] = "\f".join(L.ground_truth(lines) for lines in born)
    text_lines, scanned_lines = L.letter_lines(13), L.letter_lines(14)
    save("mixte.pdf", write_pdf([L.TextPage(text_lines),
                                 L.scan_page(L.render(scanned_lines), quality=60)]))
    truths["mixte.pdf"] = L.ground_truth(text_lines) + "\f" + L.ground_truth(scanned_lines)
    _bad_files()
    (HERE / "verites.json").write_text(json.dumps(truths, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")


def _bad_files() -> None:
    (HERE / "vide.pdf").write_bytes(b"")
    (HERE / "sans-page.pdf").write_bytes(write_pdf([]))
    # An executable's first bytes under a PDF's name: refused by its content.
    (HERE / "deguise.pdf").write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    (HERE / "tronque.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    png = (HERE / "lettre-propre.png").read_bytes()
    (HERE / "image-tronquee.png").write_bytes(png[: len(png) // 3])
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--encrypt", "lecture", "proprietaire", "256", "--",
                        str(HERE / "nee-numerique.pdf"), str(HERE / "chiffre.pdf")], check=True)


if __name__ == "__main__":
    main()
