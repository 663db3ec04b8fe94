"""Every survey's report through one pipeline (``kinds``): the satisfaction report (SIPAS and
its kin) built from the analysis frame (``build``), held as data (``model``), drawn
(``charts``) and rendered as HTML, XLSX and JSON (``render``), and the leaders' PAR score; the
``flask report quarterly`` command (``commands``) and the pages under /admin/reports/ (``views``).
"""

from survey.reports.views import bp

__all__ = ["bp"]
