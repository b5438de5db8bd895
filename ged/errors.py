"""Domain errors of the GED; each message is one French sentence for the person concerned."""

from __future__ import annotations

from core.errors import Conflict, NotFound, ValidationError


class RefusedFile(ValidationError):
    """A file that the GED does not accept; the message says why."""


class EmptyFile(RefusedFile):
    """The file has no byte."""


class UnknownFileType(RefusedFile):
    """Neither PDF, PNG, JPEG nor TIFF by its content (whatever its name says)."""


class FileTooLarge(RefusedFile):
    status = 413


class TooManyPixels(RefusedFile):
    """An image whose pixel count could exhaust memory once decoded (decompression bomb)."""


class EncryptedPdf(RefusedFile):
    """A PDF protected by a password: it cannot be read."""


class PdfWithoutPage(RefusedFile):
    """A PDF with no page."""


class CorruptFile(RefusedFile):
    """A file whose content its type cannot parse."""


class DocumentNotFound(NotFound):
    """No document with that id, or one the user may not read."""


class NotRetryable(Conflict):
    """The version's extraction is not in a state that can be run again."""


class ExtractionFailed(Exception):
    """A page or a file could not be read; the message (French) becomes the version's reason."""


class StoredFileMissing(NotFound):
    """The bytes of a version are not in the file store any more (see ``atd ged verify``)."""
