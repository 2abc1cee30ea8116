"""The pixel budget: how large a page is rasterised, and which images may be decoded at all.

A page is never rendered larger than ``Limits.max_page_pixels``; an embedded or uploaded image above that
budget is still read by decoding it once and rendering it smaller, unless decoding it would itself be a
decompression bomb (more than ``Limits.max_image_pixels`` pixels or more than half of ``memory_mb``).
"""

from __future__ import annotations

import math

from .models import Limits


def fit_scale(width: float, height: float, max_pixels: int) -> float:
    """The factor (at most 1) that brings a ``width`` x ``height`` raster within ``max_pixels``."""
    area = width * height
    if area <= max_pixels:
        return 1.0
    return math.sqrt(max_pixels / area)


def may_decode(pixels: int, bytes_per_pixel: float, limits: Limits) -> bool:
    """Whether an image of ``pixels`` pixels, held at ``bytes_per_pixel`` once decoded, is safe to decode."""
    return 0 < pixels <= limits.max_image_pixels and pixels * bytes_per_pixel <= limits.memory_mb * 2**20 / 2


def too_large_reason(width: int, height: int) -> str:
    return f"it contains an image too large to process safely ({width:,} × {height:,} pixels)."
