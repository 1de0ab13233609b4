"""English dates as they are written in Norway and the UK: day, month, year, and 24-hour time.

Django's own English formats are American ("Nov. 20, 2026, 2:30 p.m."), which reads wrongly to
a Norwegian service's users. Anything not set here falls back to Django's English formats.
"""

DATE_FORMAT = "j F Y"  # 20 November 2026
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 20 November 2026, 14:30
YEAR_MONTH_FORMAT = "F Y"  # November 2026
MONTH_DAY_FORMAT = "j F"  # 20 November
SHORT_DATE_FORMAT = "d/m/Y"  # 20/11/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 20/11/2026 14:30
FIRST_DAY_OF_WEEK = 1  # Monday
# Typed dates are read day first too (ISO first: what date inputs send).
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-20
    "%d/%m/%Y",  # 20/11/2026
    "%d/%m/%y",  # 20/11/26
    "%d %b %Y",  # 20 Nov 2026
    "%d %B %Y",  # 20 November 2026
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # 2026-11-20 14:30:59
    "%Y-%m-%d %H:%M",  # 2026-11-20 14:30
    "%d/%m/%Y %H:%M:%S",  # 20/11/2026 14:30:59
    "%d/%m/%Y %H:%M",  # 20/11/2026 14:30
    "%d/%m/%y %H:%M",  # 20/11/26 14:30
]
