"""A minimal PDF writer: pages of text (Helvetica, WinAnsi) or one JPEG scan per page."""

from __future__ import annotations

from dataclasses import dataclass

A4 = (595.0, 842.0)


@dataclass(frozen=True)
class TextPage:
    lines: list[str]
    size: float = 11.0


@dataclass(frozen=True)
class ImagePage:
    jpeg: bytes
    width_px: int
    height_px: int
    dpi: int = 300


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _text_stream(page: TextPage) -> bytes:
    leading = page.size * 1.45
    parts = [b"BT /F1 %.1f Tf %.1f TL 72 %.1f Td" % (page.size, leading, A4[1] - 72)]
    for line in page.lines:
        parts.append(b"(" + _escape(line) + b") Tj T*")
    parts.append(b"ET")
    return b"\n".join(parts)


def write_pdf(pages: list[TextPage | ImagePage]) -> bytes:
    """The bytes of a PDF with the given pages (A4 for text, the scan's size for images)."""
    objects: list[bytes] = [b"", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                            b"/Encoding /WinAnsiEncoding >>"]
    kids: list[int] = []
    for page in pages:
        if isinstance(page, TextPage):
            width, height = A4
            stream = _text_stream(page)
            resources = b"<< /Font << /F1 3 0 R >> >>"
        else:
            width = page.width_px * 72.0 / page.dpi
            height = page.height_px * 72.0 / page.dpi
            objects.append(
                b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
                % (page.width_px, page.height_px, len(page.jpeg)) + page.jpeg + b"\nendstream"
            )
            stream = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (width, height)
            resources = b"<< /XObject << /Im0 %d 0 R >> >>" % len(objects)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources %s "
            b"/Contents %d 0 R >>" % (width, height, resources, content)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
