"""Imported once by the PDF fork server (``runphys.pdf.context``), never by the app itself.

A first render pays for loading fonts and initialising Pango and fontconfig; done here, in the fork
server, every child forked from it starts with that work done (about 15–45 ms less per render
on a 2-core machine). The font list is the handout's (``static/css/handout.css``).
"""

from weasyprint import CSS, HTML

from runphys import pdf  # noqa: F401  (the children run its code; import it before forking them)

WARM_UP_CSS = "body { font-family: 'Liberation Sans', 'DejaVu Sans', sans-serif } b { font-weight: bold }"

HTML(string="<p>Warm <b>up</b></p>").write_pdf(stylesheets=[CSS(string=WARM_UP_CSS)])
