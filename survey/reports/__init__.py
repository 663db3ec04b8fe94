"""The quarterly SIPAS report: built from the analysis frame (``build``), held as data
(``model``), drawn (``charts``) and rendered as HTML, XLSX and JSON (``render``); the
``flask report quarterly`` command (``commands``) and the pages under /admin/reports/ (``views``).
"""

from survey.reports.views import bp

__all__ = ["bp"]
