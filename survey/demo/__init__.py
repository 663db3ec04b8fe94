"""Demo data: synthetic but plausible responses for trying the analysis and for benchmarks.

`flask --app wsgi demo responses --wave W --count N` makes (or reuses) a wave marked
`is_demo` and fills it in bulk. Localities differ in satisfaction and size (some centres get
only a handful of responses), items correlate through a respondent-level factor, optional
parts are often skipped, and a few responses carry each quality flag, decided by the same
rules as `survey.respond.quality`.
"""
