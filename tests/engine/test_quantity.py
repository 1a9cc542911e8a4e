"""The one quantity parser: apimachinery's grammar, exact values, kubectl's printing."""

from __future__ import annotations

from fractions import Fraction

import pytest

from engine.quantity import QUANTITY_MSG, QuantityError, amount, lenient, parse, percent, value_of


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1Gi", 2**30),
        ("500Mi", 500 * 2**20),
        ("1G", 10**9),
        ("2048", 2048),
        ("1e3", 1000),
        ("1.5e3", 1500),
        ("1E-3", Fraction(1, 1000)),
        ("250m", Fraction(1, 4)),
        ("5.", 5),
        (".5", Fraction(1, 2)),
        ("+2k", 2000),
        ("-1", -1),
        ("100n", Fraction(1, 10**7)),
        ("0.1n", Fraction(1, 10**9)),  # non-zero amounts round up to a whole nano-unit
        ("  1Gi ", 2**30),  # a JSON field value is trimmed, as UnmarshalJSON does
        (3, 3),
        (0.5, Fraction(1, 2)),
    ],
)
def test_values_are_exact(text: object, value: Fraction) -> None:
    assert parse(text).value == value


@pytest.mark.parametrize(
    "text", ["1Gb", "1K", "lots", "", "1.2.3", "1e", "Gi", "1 Gi", "--1", "1e99999999999", "1Mi2"]
)
def test_not_quantities_get_the_api_servers_message(text: str) -> None:
    with pytest.raises(QuantityError, match=r"quantities must match the regular expression"):
        parse(text)
    assert value_of(text) is None
    assert amount(text) == 0


@pytest.mark.parametrize("value", [True, None, [1], {"a": 1}])
def test_other_types_are_not_quantities(value: object) -> None:
    with pytest.raises(QuantityError, match=r"regular expression"):
        parse(value)


def test_huge_exponents_are_refused_without_building_the_number() -> None:
    with pytest.raises(QuantityError, match="too large"):
        parse("1e2000000000")
    assert parse("1e-2000000000").value == Fraction(1, 10**9)


def test_binary_amounts_are_capped_at_int64_like_go() -> None:
    assert parse("99999999Ei").value == 2**63 - 1


def test_quantities_add_and_print_like_resource_quantity() -> None:
    assert str(parse("0.5")) == "500m"
    assert str(parse("0.125Gi")) == "128Mi"
    assert str(parse("1Gi") + parse("512Mi")) == "1536Mi"
    assert str(parse("250m") + parse("750m")) == "1"
    assert str(parse("250m") + parse("1")) == "1250m"
    assert str(parse("0.5Ki")) == "512"  # below 1024 a binary amount prints as decimal
    assert str(lenient("nonsense")) == "0"
    assert percent(parse("500m"), parse("4")) == 12
    assert percent(parse("64Mi"), parse("8Gi")) == 0
    assert percent(parse("1Gi"), parse("8Gi")) == 12


def test_message_is_the_api_servers() -> None:
    assert QUANTITY_MSG == (
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
