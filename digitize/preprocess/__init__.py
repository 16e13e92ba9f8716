"""Preprocessing: the image the OCR sees. The scan itself, and so the PDF, is never changed."""

from __future__ import annotations

import cv2

from ..models import PageImage, PreparedPage


def prepare(page: PageImage) -> PreparedPage:
    """Grayscale, geometry unchanged."""
    gray = cv2.cvtColor(page.pixels, cv2.COLOR_RGB2GRAY)
    return PreparedPage(page=page, gray=gray, color=page.pixels, dpi=page.dpi)
