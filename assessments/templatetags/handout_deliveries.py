"""The athlete page's email entries, without the athletes app importing assessments."""

from django import template

from assessments.delivery_models import HandoutDelivery

register = template.Library()


@register.simple_tag
def handout_deliveries(athlete, limit: int = 20):
    """The athlete's most recent handout emails, newest first, in one query."""
    return list(
        HandoutDelivery.objects.filter(version__program__athlete=athlete)
        .with_email()
        .select_related("version__program")[:limit]
    )
