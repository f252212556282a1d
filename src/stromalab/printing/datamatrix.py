"""Data Matrix (ECC 200) symbols that scanners read back: reportlab's symbol with ASCII encodation.

reportlab's ``ECC200DataMatrix`` (44 × 44 modules, the one size it places) encodes its data in
C40 and gets two things wrong that ISBT 128 hits on every label: the C40 "shift 2" values of
``:;<=>?@`` (ISO/IEC 16022 gives them 15–21, reportlab 25–31, so ``=<`` and ``&>`` decode as
other characters) and a message ending with one C40 value left over (padded into a spurious NUL).
This subclass keeps reportlab's Reed-Solomon and module placement and replaces the encodation by
ISO/IEC 16022 ASCII encodation: one codeword per character, digit pairs in one codeword
(130 + the pair), then the pad codeword 129 and the 253-state randomised pads.
"""

from __future__ import annotations

from reportlab.graphics.barcode.ecc200datamatrix import ECC200DataMatrix

_PAD = 129
_DIGIT_PAIR_BASE = 130


class AsciiDataMatrix(ECC200DataMatrix):  # type: ignore[misc]
    """A 44 × 44 ECC 200 symbol of ``value`` (printable ASCII), its module size ``barWidth``."""

    def __init__(self, value: str, *, barWidth: float) -> None:
        if not value or any(not 32 <= ord(c) <= 126 for c in value):
            raise ValueError(f"a Data Matrix here carries printable ASCII only, got {value!r}")
        super().__init__(value, barWidth=barWidth, x=0, y=0)

    def encode(self) -> list[list[int]]:
        """The module rows, bottom row first (reportlab draws from the bottom left corner)."""
        if not hasattr(self, "encoded"):
            data = ascii_codewords(self.value, self.cw_data)
            data += self._get_reed_solomon_code(data, self.cw_ecc)
            matrix = self._create_matrix(data)
            self.encoded = self._merge_data_regions(
                self._wrap_data_regions_with_finders(self._create_data_regions(matrix))
            )
            self.encoded.reverse()
        return list(self.encoded)


def ascii_codewords(value: str, capacity: int) -> list[int]:
    """ISO/IEC 16022 ASCII encodation of ``value``, padded to ``capacity`` data codewords."""
    codewords: list[int] = []
    i = 0
    while i < len(value):
        pair = value[i : i + 2]
        if len(pair) == 2 and pair.isascii() and pair.isdigit():
            codewords.append(_DIGIT_PAIR_BASE + int(pair))
            i += 2
        else:
            codewords.append(ord(value[i]) + 1)
            i += 1
    if len(codewords) > capacity:
        raise ValueError(f"{len(codewords)} codewords do not fit in {capacity}")
    if len(codewords) < capacity:
        codewords.append(_PAD)
    while len(codewords) < capacity:
        position = len(codewords) + 1
        pad = _PAD + (149 * position) % 253 + 1
        codewords.append(pad if pad <= 254 else pad - 254)
    return codewords
