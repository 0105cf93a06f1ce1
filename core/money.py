"""Amounts of money as GOV.UK writes them: "£87,300", pence only where asked for."""

from decimal import ROUND_HALF_UP, Decimal


def pounds(value: Decimal | int | float | str | None, *, pence: bool = False) -> str:
    """ "£87,300" (to the nearest pound), or "£87,300.50" with ``pence``; "" for no amount."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    if pence and amount != amount.to_integral_value():
        return f"£{amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"
    return f"£{amount.quantize(Decimal('1'), ROUND_HALF_UP):,.0f}"
