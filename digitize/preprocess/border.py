"""Scan-border and dark-edge removal on the OCR image.

A scanner lid, the table under a photographed page or the shadow of a binding leaves dark bands along the
image edges. Dark components that touch an image edge and are far bigger than any letter are painted
white; so are the wedges of empty canvas a rotation brings in (already white by construction).
"""

from __future__ import annotations

import cv2
import numpy as np


def remove_dark_edges(
    gray: np.ndarray, x_height: float, threshold: int | None = None
) -> tuple[np.ndarray, dict[str, int]]:
    """``gray`` with edge-touching dark areas whitened, the depth (px) whitened at each edge and in all."""
    h, w = gray.shape
    if threshold is None:
        threshold, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    dark = (gray < threshold).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    big = 6 * max(x_height, 4.0)
    removed = np.zeros(n, dtype=bool)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        touches = x == 0 or y == 0 or x + bw >= w or y + bh >= h
        # a band along an edge, or a blob too big to be letters; a letter cut by the edge stays
        if touches and (bw > big or bh > big) and (bw > 0.2 * w or bh > 0.2 * h or area > big * big):
            removed[i] = True
    if not removed.any():
        return gray, {"left": 0, "top": 0, "right": 0, "bottom": 0, "pixels": 0}
    mask = removed[labels]
    # the soft fringe of a dark band is lighter than the threshold but still grey: take it too
    mask = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    out = gray.copy()
    out[mask] = 255
    # depth of the whitened band from each edge: the median run length, so a corner blob does not count
    sides = {
        "left": int(np.median(np.argmax(~mask, axis=1))),
        "right": int(np.median(np.argmax(~mask[:, ::-1], axis=1))),
        "top": int(np.median(np.argmax(~mask, axis=0))),
        "bottom": int(np.median(np.argmax(~mask[::-1], axis=0))),
        "pixels": int(mask.sum()),
    }
    return out, sides
