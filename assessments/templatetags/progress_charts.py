"""``{% progress_chart chart %}``: a progress chart's SVG (``templates/assessments/chart.svg``),
rendered once per distinct chart.

``assessments.charts`` computes every coordinate into frozen, hashable dataclasses; drawing them
was a fifth of the assessment page's time (7.7 ms for its two charts, issue 19), and most views of
a page draw exactly the charts the last view drew. The rendered SVG is kept per process under the
chart itself as the key: a chart whose data changed in any way is another key, so nothing is ever
stale and nothing needs invalidating. Bounded (``CHARTS_KEPT``); process memory only, never a
shared store, and a chart holds no name (its title names the movement and position).
"""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from assessments.charts import Chart

register = template.Library()
CHARTS_KEPT = 256


@register.simple_tag
def progress_chart(chart: Chart, for_print: bool = False) -> SafeString:
    return drawn(chart, for_print)


@lru_cache(maxsize=CHARTS_KEPT)
def drawn(chart: Chart, for_print: bool) -> SafeString:
    return render_to_string("assessments/chart.svg", {"chart": chart, "for_print": for_print})  # escaped, safe
