"""Dates and times the way Julie, in Connecticut, writes and reads them (FORMAT_MODULE_PATH).

Django's own English formats show "2:30 p.m." and "noon" but refuse them, and most 12-hour
spellings, when typed. Her time fields (appointments.admin_fields) also take "p.m." and
"noon" on top of these formats.
"""

# Shown: "Tue Dec 8, 2026, 2:30 PM" (admin's read-only fields and lists).
DATE_FORMAT = "D M j, Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "D M j, Y, g:i A"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"

# Typed. The first of each is also what admin's calendar and clock put into an input.
DATE_INPUT_FORMATS = ["%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%b %d %Y", "%b %d, %Y", "%B %d %Y", "%B %d, %Y"]
TIME_INPUT_FORMATS = ["%I:%M %p", "%I:%M%p", "%I %p", "%I%p", "%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
DATETIME_INPUT_FORMATS = [
    f"{date} {time}" for date in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d") for time in TIME_INPUT_FORMATS
] + ["%Y-%m-%d"]
