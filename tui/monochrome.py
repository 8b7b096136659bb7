"""Monochrome that stays readable (issue 19, ``NO_COLOR``): Textual's Monochrome filter turns
each colour into its grey, so bold red text (a "change" row) becomes dark grey on a dark
row, barely visible. This filter does the same, then pushes any foreground grey too close
to its background towards white or black, so every status keeps its words and marks
legible; bold, reverse and the cursor row's background are untouched."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter, monochrome_style

__all__ = ["MIN_CONTRAST", "ReadableMonochrome"]

MIN_CONTRAST = 0.45  #: the least brightness difference kept between text and its background
_WHITE = Color(255, 255, 255).rich_color
_BLACK = Color(0, 0, 0).rich_color
_SHAPES = " ▁▂▃▄▅▆▇█▉▊▋▌▍▎▏▐▔▕━─│┃"  # scrollbars, sparklines: drawn as Textual draws them


class ReadableMonochrome(LineFilter):
    """Monochrome with a minimum contrast between each segment's text and background."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out: list[Segment] = []
        for text, style, control in segments:
            if style is None or control:
                out.append(Segment(text, style, control))
                continue
            mono = monochrome_style(style)
            fg, bg = mono.color, mono.bgcolor
            if fg is not None and text.strip(_SHAPES):  # words and marks, not bars/blocks
                fore = Color.from_rich_color(fg).brightness
                back = (Color.from_rich_color(bg) if bg is not None else background).brightness
                if abs(fore - back) < MIN_CONTRAST:
                    mono = mono + Style(color=_BLACK if back > 0.5 else _WHITE)
            out.append(Segment(text, mono, None))
        return out
