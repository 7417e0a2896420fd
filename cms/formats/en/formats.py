"""English dates as the WCO writes them, day first ("4 March 2021", not "March 4, 2021");
everything else, and French and Spanish, keep Django's own locale formats."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j F"
