"""Chinese dates as they are written in Chinese: year, month, day (2026年12月6日), 24-hour time.

Django's own zh_Hans formats say the same for whole dates; they are written out here so that
every date the site shows in Chinese has this order, and the month and day carry no leading
zero (Django's MONTH_DAY_FORMAT writes 09月5日). A date written with a European pattern such
as "j F Y" reads "6 十二月 2026": templates use these named formats instead.
"""

DATE_FORMAT = "Y年n月j日"  # 2026年12月6日
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月6日 14:30
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年12月
MONTH_DAY_FORMAT = "n月j日"  # 12月6日
SHORT_DATE_FORMAT = "Y年n月j日"  # 2026年12月6日
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月6日 14:30
FIRST_DAY_OF_WEEK = 1  # Monday
