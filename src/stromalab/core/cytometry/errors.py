"""The one exception the cytometry core raises for bad input."""

from __future__ import annotations


class FcsError(Exception):
    """A file is not a readable FCS file, or a panel cannot be computed from it.

    The message is a single line that names the file and what is wrong, so the CLI can print
    it as is. Every lower-level failure (short reads, bad numbers, undecodable text) is turned
    into this type so callers only ever need one ``except``.
    """

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = " ".join(problem.split())
        super().__init__(f"{source}: {self.problem}")
