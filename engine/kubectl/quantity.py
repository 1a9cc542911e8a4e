"""Resource quantities (``250m``, ``1``, ``128Mi``, ``1Gi``) as kubectl adds and prints them.

Values are kept exactly as integer nano-units. Printing follows ``resource.Quantity.String()``
for the canonical cases: a binary-suffixed sum prints with the largest binary suffix that
divides it (``1536Mi``), a decimal one as an integer when whole or in milli-units (``1500m``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

_PATTERN = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}


@dataclass(frozen=True)
class Quantity:
    """An exact amount and whether it was written with a binary suffix."""

    value: Fraction
    binary: bool = False

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.value + other.value, self.binary or other.binary)

    def milli(self) -> int:
        """MilliValue (rounded up, as Quantity.MilliValue does)."""
        scaled = self.value * 1000
        return -((-scaled.numerator) // scaled.denominator)

    def __str__(self) -> str:
        if self.value == 0:
            return "0"
        if self.binary and self.value.denominator == 1:
            whole = self.value.numerator
            for suffix, size in reversed(_BINARY.items()):
                if whole % size == 0:
                    return f"{whole // size}{suffix}"
            return str(whole)
        if self.value.denominator == 1:
            return str(self.value.numerator)
        return f"{self.milli()}m"


ZERO = Quantity(Fraction(0))


def parse(text: object) -> Quantity:
    """A quantity from a manifest value (string or number); zero when unparsable."""
    m = _PATTERN.match(str(text).strip())
    if not m:
        return ZERO
    number, suffix = Fraction(m.group(1)), m.group(2) or ""
    if suffix in _BINARY:
        return Quantity(number * _BINARY[suffix], True)
    if suffix[:1] in ("e", "E"):
        return Quantity(number * Fraction(10) ** int(suffix[1:]))
    return Quantity(number * _DECIMAL[suffix])


def percent(part: Quantity, whole: Quantity) -> int:
    """``int64(float64(part.MilliValue()) / float64(whole.MilliValue()) * 100)``."""
    if whole.milli() == 0:
        return 0
    return int(part.milli() / whole.milli() * 100)
