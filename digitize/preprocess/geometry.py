"""Page geometry: one affine transform (quarter turns, deskew, scale) applied once, and its inverse.

All geometric steps are composed into a single matrix and the scan is resampled a single time, so the
OCR image suffers one interpolation and the way back to original-scan pixels is one exact inverse.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def rotation_matrix(angle_deg: float, cx: float, cy: float) -> np.ndarray:
    """3x3 rotation by ``angle_deg`` counter-clockwise (as displayed, y down) about (cx, cy)."""
    m = cv2.getRotationMatrix2D((cx, cy), angle_deg, 1.0)
    return np.vstack([m, [0.0, 0.0, 1.0]])


def compose(
    width: int, height: int, quarter_turns_cw: int, skew_deg: float, scale: float
) -> tuple[np.ndarray, int, int]:
    """Matrix mapping original pixels to the prepared image, and the prepared image's size.

    Rotate clockwise by ``90 * quarter_turns_cw`` and counter-clockwise by ``skew_deg`` about the page
    centre, scale, then shift so the whole rotated page fits on the canvas.
    """
    total = -90.0 * quarter_turns_cw + skew_deg  # cv2 angles are counter-clockwise
    r = rotation_matrix(total, width / 2.0, height / 2.0)
    s = np.diag([scale, scale, 1.0])
    m = s @ r
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]], dtype=float).T
    mapped = m @ corners
    x0, y0 = mapped[0].min(), mapped[1].min()
    out_w = int(math.ceil(mapped[0].max() - x0))
    out_h = int(math.ceil(mapped[1].max() - y0))
    shift = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
    return shift @ m, out_w, out_h


def warp(image: np.ndarray, matrix: np.ndarray, width: int, height: int, fill: int | tuple[int, ...]) -> np.ndarray:
    """Resample ``image`` through ``matrix``; cubic when enlarging, area-like when shrinking."""
    scale = math.sqrt(abs(np.linalg.det(matrix[:2, :2])))
    interp = cv2.INTER_CUBIC if scale >= 1.0 else cv2.INTER_AREA
    if np.allclose(matrix, np.eye(3)) and image.shape[1] == width and image.shape[0] == height:
        return image
    if interp == cv2.INTER_AREA:
        # warpAffine has no area filter: shrink first, then rotate at the target scale
        small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        pre = np.diag([1 / scale, 1 / scale, 1.0])
        return cv2.warpAffine(small, (matrix @ pre)[:2], (width, height), flags=cv2.INTER_LINEAR, borderValue=fill)
    return cv2.warpAffine(image, matrix[:2], (width, height), flags=interp, borderValue=fill)


def inverse_2x3(matrix: np.ndarray) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The 2x3 affine taking prepared pixels back to original-scan pixels, as plain floats."""
    inv = np.linalg.inv(matrix)
    return (
        (float(inv[0, 0]), float(inv[0, 1]), float(inv[0, 2])),
        (float(inv[1, 0]), float(inv[1, 1]), float(inv[1, 2])),
    )
