"""Kubernetes resource quantities (``250m``, ``1``, ``1.5e3``, ``128Mi``): one exact parser.

Validation (the API server's schema checks), the scheduler's resource fit, volume binding and
expansion, kubectl's ``describe`` sums and ``--sort-by`` all read quantities through this
module, so they agree on what is a quantity and on its value.

The grammar is apimachinery's ``resource.ParseQuantity``::

    <quantity>  ::= <sign>? <number> <suffix>
    <number>    ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>    ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E
                  | (e | E) <signed int32>

Values are exact :class:`fractions.Fraction` amounts. As in Go, a non-zero amount rounds up
(away from zero) to a whole nano-unit and a binary amount is capped at ``2^63 - 1``. Go keeps
an exponent of any int32 size as a scale; here an exponent whose value cannot be held (beyond
``10^±_MAX_EXPONENT``) is refused with a clear error instead of allocating a huge number.
Printing follows ``Quantity.String()`` for the canonical cases kubectl shows: a binary-suffixed
amount prints with the largest binary suffix that divides it (``1536Mi``), a decimal one as an
integer when whole or in milli-units (``1500m``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

QUANTITY_MSG = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)

_PATTERN = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?")
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
_INT32 = 2**31
_MAX_EXPONENT = 1000
_NANO = 10**9
_MAX_BINARY = Fraction(2**63 - 1)


class QuantityError(ValueError):
    """A value that is not a resource quantity (``1Gb``, ``lots``, ``true``)."""


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


def parse(value: object) -> Quantity:
    """A quantity from a manifest value: a string, or a number as JSON carries it.

    Raises:
        QuantityError: ``value`` is not a quantity (the message is the API server's).
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise QuantityError(QUANTITY_MSG)
    return _parse_text(str(value).strip())


def value_of(value: object) -> Fraction | None:
    """The amount of ``value``, or None when it is not a quantity."""
    try:
        return parse(value).value
    except QuantityError:
        return None


def lenient(value: object) -> Quantity:
    """``value`` as a quantity; zero when absent or not a quantity (what readers of stored
    objects, such as the scheduler or ``kubectl describe``, treat it as)."""
    try:
        return parse(value)
    except QuantityError:
        return ZERO


def amount(value: object) -> Fraction:
    """The amount of ``value``; zero when absent or not a quantity."""
    return lenient(value).value


def percent(part: Quantity, whole: Quantity) -> int:
    """``int64(float64(part.MilliValue()) / float64(whole.MilliValue()) * 100)``."""
    if whole.milli() == 0:
        return 0
    return int(part.milli() / whole.milli() * 100)


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Quantity:
    m = _PATTERN.fullmatch(text)
    if not m:
        raise QuantityError(QUANTITY_MSG)
    sign, digits, suffix = m.group(1), m.group(2), m.group(3) or ""
    number = Fraction(digits)
    binary = suffix in _BINARY
    if binary:
        number *= _BINARY[suffix]
    elif suffix[:1] in ("e", "E"):
        number *= _power_of_ten(suffix[1:], text)
    else:
        number *= _DECIMAL[suffix]
    if number:
        number = Fraction(-((-number.numerator * _NANO) // number.denominator), _NANO)
    if binary and number > _MAX_BINARY:
        number = _MAX_BINARY
    if binary and number < 1024:
        binary = False
    return Quantity(-number if sign == "-" else number, binary)


def _power_of_ten(exponent_text: str, text: str) -> Fraction:
    exponent = int(exponent_text)
    if not -_INT32 <= exponent < _INT32:
        raise QuantityError(QUANTITY_MSG)
    if exponent > _MAX_EXPONENT:
        raise QuantityError(f"quantity {text!r} is too large (exponent above {_MAX_EXPONENT})")
    if exponent < -_MAX_EXPONENT:
        return Fraction(1, 10**_MAX_EXPONENT)  # rounds up to 1n like any tiny non-zero amount
    return Fraction(10) ** exponent
