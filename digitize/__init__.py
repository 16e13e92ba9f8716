"""digitize: searchable PDF/A, text and structured data from scans of archival documents."""

from __future__ import annotations

__version__ = "0.1.0"
