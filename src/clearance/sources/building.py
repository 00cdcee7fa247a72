"""Helpers the importers share to fill an :class:`Entity` from source fields, so an address or
country reads the same whichever list format it came from."""

from __future__ import annotations

from clearance.countries import to_iso2
from clearance.model import Address, Entity


def add_address(
    entity: Entity,
    *,
    street: str | None = None,
    city: str | None = None,
    region: str | None = None,
    postal_code: str | None = None,
    country_text: str | None = None,
) -> None:
    """Add the address (once) and its country to the entity's countries; blank parts skipped."""
    parts = (street, city, region, postal_code, country_text)
    if not any(parts):
        return
    country = to_iso2(country_text) if country_text else None
    address = Address(
        full=", ".join(p for p in parts if p),
        street=street or None,
        city=city or None,
        region=region or None,
        postal_code=postal_code or None,
        country=country,
    )
    if address not in entity.addresses:
        entity.addresses.append(address)
    if country and country not in entity.countries:
        entity.countries.append(country)
