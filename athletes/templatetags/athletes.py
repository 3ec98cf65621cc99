"""Template helpers for athlete pages: distances in the clinic's unit."""

from decimal import Decimal

from django import template

from athletes.models import km_to

register = template.Library()


@register.filter
def distance(value_km: Decimal | None, unit: str) -> str:
    """A stored distance (km) in the clinic's unit: ``{{ athlete.weekly_volume_km|distance:unit }}``."""
    value = km_to(value_km, unit or "km")
    if value is None:
        return ""
    return f"{value.normalize():f} {unit or 'km'}"
