"""Inline SVG sparklines (no JavaScript, no network): a gap where a month has no data."""

from __future__ import annotations

from markupsafe import Markup, escape

from reporting.formatting import is_missing


def sparkline_svg(
    values: list[float | None], *, width: int = 42, height: int = 15, label: str = ""
) -> Markup:
    """An ``<svg>`` polyline of the values, oldest first; the last value with data is marked with a dot."""
    pad = 2.0
    present = [v for v in values if not is_missing(v)]
    parts = [
        f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
    ]
    if present:
        low, high = min(present), max(present)
        span = high - low
        step = (width - 2 * pad) / max(len(values) - 1, 1)

        def point(i: int, v: float) -> tuple[float, float]:
            y = height / 2 if span == 0 else pad + (high - v) / span * (height - 2 * pad)
            return round(pad + i * step, 2), round(y, 2)

        segment: list[tuple[float, float]] = []
        segments: list[list[tuple[float, float]]] = []
        for i, v in enumerate(values):
            if is_missing(v):
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append(point(i, float(v)))
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) == 1:
                x, y = seg[0]
                parts.append(f'<circle cx="{x}" cy="{y}" r="0.9" class="spark-point"/>')
            else:
                coords = " ".join(f"{x},{y}" for x, y in seg)
                parts.append(f'<polyline points="{coords}" class="spark-line"/>')
        last = max(i for i, v in enumerate(values) if not is_missing(v))
        x, y = point(last, float(values[last]))
        parts.append(f'<circle cx="{x}" cy="{y}" r="1.6" class="spark-last"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
