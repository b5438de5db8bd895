"""Generated French letters: their text (the ground truth), scans of them, and PDFs.

The scans are drawn with the DejaVu font that Debian ships, at 300 dpi by default, then
degraded the way real scans are (skew, noise, low resolution, pages fed sideways or upside down).
"""

from __future__ import annotations

import io
import random
import textwrap
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ged.demo.pdfwriter import ImagePage, TextPage, write_pdf

__all__ = ["ImagePage", "TextPage", "write_pdf"]

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
A4_INCHES = (8.27, 11.69)
WRAP = 70

_SENDERS = [
    ("Koffi Mensah", "Quartier Bè-Kpota, Lomé"),
    ("Ama Agbéko", "Rue des Cocotiers, Kpalimé"),
    ("Société Énergie Solaire du Togo", "Zone portuaire, Lomé"),
    ("Yao Kodjo Amégan", "Quartier Adidogomé, Lomé"),
    ("Coopérative agricole de Notsè", "Route nationale 1, Notsè"),
    ("Afi Dzifa Lawson", "Avenue de la Libération, Sokodé"),
]
_RECIPIENTS = [
    "Monsieur le Directeur général de la CEET",
    "Madame la Directrice de l'Agence de régulation",
    "Monsieur le Ministre délégué chargé de l'Énergie",
    "Monsieur le Directeur de l'AT2ER",
]
_SUBJECTS = [
    "demande de raccordement au réseau basse tension",
    "réclamation relative à une facture d'électricité",
    "demande d'autorisation d'installation d'une centrale solaire",
    "signalement de coupures répétées dans notre quartier",
    "demande d'extension du réseau électrique rural",
    "demande de rendez-vous pour l'étude d'un dossier",
]
_PARAGRAPHS = [
    "J'ai l'honneur de solliciter votre bienveillante attention au sujet de {subject}. "
    "Depuis le {day} {month}, la situation n'a pas évolué malgré plusieurs démarches auprès "
    "de vos services à {city}.",
    "Vous trouverez ci-joint la copie de ma carte d'identité, le plan de situation de la "
    "parcelle ainsi que la quittance n° {number} réglée le {day} {month} dernier.",
    "Les habitants du quartier, au nombre de {people} familles, attendent une réponse rapide "
    "car les activités économiques, les écoles et le centre de santé en dépendent.",
    "Je reste à la disposition de vos services pour toute information complémentaire et pour "
    "une visite technique sur place, du lundi au vendredi de huit heures à dix-sept heures.",
    "Conformément à la réglementation en vigueur, je vous prie de bien vouloir examiner ce "
    "dossier dans le délai de {delay} jours prévu pour ce type de demande.",
    "Le montant de {amount} francs CFA réclamé sur la facture de {month} ne correspond pas à "
    "la consommation relevée par le compteur, qui affiche {kwh} kilowattheures.",
]
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"]
_CITIES = ["Lomé", "Kara", "Sokodé", "Atakpamé", "Kpalimé", "Dapaong", "Tsévié"]


def letter_lines(seed: int) -> list[str]:
    """The lines of one letter (wrapped as drawn); the same seed gives the same letter."""
    rng = random.Random(seed)
    name, address = rng.choice(_SENDERS)
    subject = rng.choice(_SUBJECTS)
    values = {
        "subject": subject, "day": rng.randint(2, 28), "month": rng.choice(_MONTHS),
        "city": rng.choice(_CITIES),
        "number": f"{rng.randint(100, 9999)}/{rng.randint(2020, 2025)}",
        "people": rng.randint(12, 480), "delay": rng.choice([8, 15, 30]),
        "amount": f"{rng.randint(12, 480)} {rng.randint(100, 999)}", "kwh": rng.randint(80, 2400),
    }
    reference = f"N° {rng.randint(100, 999)}/{rng.choice(['CEET', 'ARSE', 'AT2ER'])}/DG"
    lines = [name, address, "", f"{rng.choice(_CITIES)}, le {values['day']} {values['month']} 2025",
             f"Référence : {reference}", "",
             f"À {rng.choice(_RECIPIENTS)}", "", f"Objet : {subject[0].upper()}{subject[1:]}", "",
             "Monsieur le Directeur,", ""]
    for template in rng.sample(_PARAGRAPHS, 4):
        lines.extend(textwrap.wrap(template.format(**values), WRAP))
        lines.append("")
    lines += ["Veuillez agréer l'expression de ma haute considération.", "", name]
    return lines


def ground_truth(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line)


def render(lines: list[str], dpi: int = 300) -> Image.Image:
    """A clean greyscale A4 scan of the lines, at ``dpi``."""
    width, height = int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size=int(11 / 72 * dpi))
    margin, step = int(dpi * 0.9), int(11 / 72 * dpi * 1.45)
    y = margin
    for line in lines:
        draw.text((margin, y), line, font=font, fill=20)
        y += step
    return image


def skewed(image: Image.Image, degrees: float = 2.0) -> Image.Image:
    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=255)


def noisy(image: Image.Image, seed: int = 0, sigma: float = 40.0) -> Image.Image:
    """Scanner noise: grain over the page, a slight blur, and scattered specks."""
    rng = random.Random(seed)
    grain = Image.effect_noise(image.size, sigma)
    out = Image.blend(image, grain, 0.18).filter(ImageFilter.GaussianBlur(0.6))
    draw = ImageDraw.Draw(out)
    for _ in range(image.size[0] * image.size[1] // 20000):
        x, y = rng.randrange(image.size[0]), rng.randrange(image.size[1])
        draw.point((x, y), fill=rng.choice((0, 60, 255)))
    return out


def low_resolution(lines: list[str], dpi: int = 150) -> Image.Image:
    return render(lines, dpi)


def rotated(image: Image.Image, degrees: int) -> Image.Image:
    """The page fed sideways (90, 270) or upside down (180)."""
    return image.rotate(degrees, expand=True)


def photo(image: Image.Image, seed: int = 0) -> Image.Image:
    """A phone photo of the letter: on a desk, slightly turned, in colour."""
    rng = random.Random(seed)
    page = image.convert("RGB").rotate(rng.uniform(-3, 3), expand=True, fillcolor=(120, 100, 80))
    desk = Image.new("RGB", (page.width + 200, page.height + 200), (120, 100, 80))
    desk.paste(page, (100, 100))
    return desk.filter(ImageFilter.GaussianBlur(0.5))


def encode(image: Image.Image, fmt: str, dpi: int = 300, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, dpi=(dpi, dpi), **options)
    return out.getvalue()


def tiff(pages: list[Image.Image], dpi: int = 300) -> bytes:
    """A multi-page TIFF as scanners make them (bilevel pages, CCITT group 4)."""
    out = io.BytesIO()
    bilevel = [page.point(lambda v: 255 if v > 150 else 0).convert("1") for page in pages]
    bilevel[0].save(out, format="TIFF", save_all=True, append_images=bilevel[1:],
                    compression="group4", dpi=(dpi, dpi))
    return out.getvalue()


def born_digital_pdf(letters: list[list[str]]) -> bytes:
    """A PDF with a real text layer, one page per letter."""
    return write_pdf([TextPage(lines) for lines in letters])


def scan_page(image: Image.Image, dpi: int = 300, quality: int = 75) -> ImagePage:
    return ImagePage(encode(image.convert("L"), "JPEG", dpi, quality=quality), image.width,
                     image.height, dpi)


def mixed_pdf(text_letter: list[str], scanned: Image.Image) -> bytes:
    """A PDF whose first page carries text and second page is a scan."""
    return write_pdf([TextPage(text_letter), scan_page(scanned)])


def normalised(text: str) -> str:
    """Text compared for the error rate: one space between words, one kind of apostrophe."""
    return " ".join(text.replace("’", "'").replace("‘", "'").split())


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance between the normalised texts, divided by the reference's length."""
    ref, hyp = normalised(reference), normalised(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    codes = np.frombuffer(hyp.encode("utf-32-le"), dtype=np.uint32)
    offsets = np.arange(len(hyp) + 1)
    previous = offsets.copy()
    for i, char in enumerate(ref, start=1):
        substituted = previous[:-1] + (codes != ord(char))
        best = np.empty_like(previous)
        best[0] = i
        best[1:] = np.minimum(previous[1:] + 1, substituted)
        # Insertions chain along the row: best[j] = min over k <= j of best[k] + (j - k).
        previous = np.minimum.accumulate(best - offsets) + offsets
    return float(previous[-1]) / len(ref)
