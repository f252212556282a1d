"""Marker limits as data: the ISCT minimal criteria and the shape a protocol can override.

Dominici et al., Cytotherapy 2006: >= 95 % of cells express CD105, CD73 and CD90; <= 2 %
express CD45, CD34, CD14 or CD11b, CD79a or CD19, and HLA-DR. "Either" slots are satisfied
by any one of their markers being measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class MarkerLimit:
    """One slot of a panel: ``markers`` are alternatives, ``bound`` says whether ``percent``
    is a minimum (positive marker) or a maximum (negative marker) of percent positive."""

    markers: tuple[str, ...]
    bound: Literal["min", "max"]
    percent: float

    @property
    def label(self) -> str:
        return "/".join(self.markers)

    @property
    def limit_text(self) -> str:
        sign = ">=" if self.bound == "min" else "<="
        return f"{sign} {self.percent:g}"

    def passes(self, value: float) -> bool:
        return value >= self.percent if self.bound == "min" else value <= self.percent

    def worst(self, values: list[float]) -> float:
        """The value that counts when a marker is measured in several tubes."""
        return min(values) if self.bound == "min" else max(values)


@dataclass(frozen=True)
class Panel:
    name: str
    limits: tuple[MarkerLimit, ...]


ISCT_2006 = Panel(
    name="ISCT minimal criteria (Dominici et al. 2006)",
    limits=(
        MarkerLimit(("CD73",), "min", 95.0),
        MarkerLimit(("CD90",), "min", 95.0),
        MarkerLimit(("CD105",), "min", 95.0),
        MarkerLimit(("CD45",), "max", 2.0),
        MarkerLimit(("CD34",), "max", 2.0),
        MarkerLimit(("CD14", "CD11b"), "max", 2.0),
        MarkerLimit(("CD79a", "CD19"), "max", 2.0),
        MarkerLimit(("HLA-DR",), "max", 2.0),
    ),
)
