"""The athlete page's program and email entries, without the athletes app importing assessments.

Registered as the template library ``handout_deliveries`` in ``TEMPLATES["OPTIONS"]["libraries"]``
(settings): Django looks for tag libraries only in an app's own ``templatetags`` package, and this
one belongs to the programs room, which the assessments package never imports.
"""

from django import template

from assessments.programs.models import HandoutDelivery, Program

register = template.Library()


@register.simple_tag
def handout_deliveries(athlete, limit: int = 20):
    """The athlete's most recent handout emails, newest first, in one query."""
    return list(
        HandoutDelivery.objects.filter(version__program__athlete=athlete)
        .with_email()
        .select_related("version__program")[:limit]
    )


@register.simple_tag
def athlete_programs(athlete):
    """The athlete's programs, newest first, each with its versions prefetched."""
    return list(Program.objects.for_athlete(athlete).with_versions().newest_first())
