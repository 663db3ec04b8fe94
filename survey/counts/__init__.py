"""Dossier counts (số hồ sơ đã giải quyết) per centre × field × quarter: the weight base.

One parser and one set of checks serve the admin upload (`survey/admin/counts.py`) and the
command line (`flask counts import`, `flask counts template`).
"""
