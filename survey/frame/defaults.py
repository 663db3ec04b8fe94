"""The frame's options and their defaults, apart from the loader so that the commands can show
them in `--help` without importing pandas (`load.py` uses and re-exports them)."""

DEFAULT_EXCLUDE = ("burst", "repeat_device")
DEFAULT_MIN_CELL = 5
PSU_KINDS = ("desk_day", "response")
