"""pdfium is not thread-safe: every call into it, from any thread of the process, holds LOCK.

The embedded setup reads documents in a pool of threads and checks uploads in the server's
threads; two of them inside pdfium at once crash the whole process.
"""

from __future__ import annotations

import threading

LOCK = threading.RLock()
