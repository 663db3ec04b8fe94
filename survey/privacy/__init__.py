"""What staff may learn about citizens: aggregate views for officers, coarse timestamps.

- `aggregates`: the locality summaries a locality officer sees instead of responses — counts
  per day, quality flags per day and the locality's SIPAS estimates with confidence intervals,
  each cell suppressed under MIN_CELL responses;
- `timebands`: the local date + time band that replaces the minute of submission;
- `retention`: the rule that coarsens stored timestamps once review no longer needs them,
  and its `flask --app wsgi privacy coarsen-times` command.
"""

MIN_CELL = 5
"""A figure computed from fewer responses than this is not shown to an officer."""
