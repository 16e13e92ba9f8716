"""Scan-border and dark-edge removal on the OCR image.

A scanner lid, the table under a photographed page or the shadow of a binding leaves dark bands along the
image edges. Solid dark components that touch an image edge and are far bigger than any letter are painted
in the paper's tone before illumination flattening (which would otherwise leave a dark ridge where the
band meets the paper). The wedges of empty canvas a rotation brings in are white by construction.
"""

from __future__ import annotations

import cv2
import numpy as np


def remove_dark_edges(gray: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
    """``gray`` with edge-touching dark bands painted as paper; depth (px) removed at each edge, and in all."""
    h, w = gray.shape
    threshold, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    big = max(h, w) / 30.0  # several letters high at any resolution
    # an opening wider than any stroke keeps only thick dark areas: bands, shadows, not typing
    k = max(5, int(big / 8))
    dark = (gray < threshold).astype(np.uint8)
    thick = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(thick, connectivity=8)
    removed = np.zeros(n, dtype=bool)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        touches = x == 0 or y == 0 or x + bw >= w or y + bh >= h
        # a band along an edge, or a big blob on it (a thumb, a corner of the scanner bed)
        if touches and (bw > 0.2 * w or bh > 0.2 * h or area > big * big):
            removed[i] = True
    if not removed.any():
        return gray, {"left": 0, "top": 0, "right": 0, "bottom": 0, "pixels": 0}
    mask = removed[labels]
    # the soft fringe of a dark band is lighter than the threshold but still grey: take it too
    grow = max(3, int(big / 8)) | 1
    mask = cv2.dilate(mask.astype(np.uint8), np.ones((grow, grow), np.uint8)) > 0
    paper = int(np.median(gray[~mask])) if (~mask).any() else 255
    out = gray.copy()
    out[mask] = paper
    # depth of the band at each edge: the median run length, so a corner blob does not count as a band
    sides = {
        "left": int(np.median(np.argmax(~mask, axis=1))),
        "right": int(np.median(np.argmax(~mask[:, ::-1], axis=1))),
        "top": int(np.median(np.argmax(~mask, axis=0))),
        "bottom": int(np.median(np.argmax(~mask[::-1], axis=0))),
        "pixels": int(mask.sum()),
    }
    return out, sides
