"""Decimal strings to and from the statement's integer scales, exactly."""

import re
from decimal import Decimal
from fractions import Fraction

_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def parse_scaled(text: str, scale: int) -> int:
    """The decimal string `text` times `scale`, exactly; ValueError if it has more digits than the scale."""
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        raise ValueError(f'{text!r} is not a decimal number written as a string (like "-12.5")')
    value = Decimal(text) * scale
    if value != value.to_integral_value():
        raise ValueError(f"{text} has more decimals than a scale of {scale} holds")
    return int(value)


def format_scaled(value: int | Fraction, scale: int) -> str:
    """`value / scale` as a plain decimal string, rounded toward zero to the scale, trailing zeros dropped."""
    whole = int(Fraction(value))
    sign = "-" if whole < 0 else ""
    integer, fraction = divmod(abs(whole), scale)
    digits = len(str(scale)) - 1
    text = f"{integer}.{fraction:0{digits}d}".rstrip("0").rstrip(".") if digits else str(integer)
    return sign + text
