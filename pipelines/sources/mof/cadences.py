"""When MOF publishes, in Tokyo time (Japan has no daylight saving), and how late is late.

Release times: reference-data/FORMATS.md §2.6 (JGB), §4 (securities flows).
"""

from __future__ import annotations

from datetime import time, timedelta

from pipelines.lib import polling
from pipelines.lib.cadence import BusinessDays, Cadence, Days, Gap, Months

TOKYO = "Asia/Tokyo"

# MOF posts day D's JGB quotes on the next Tokyo business day; the time of day is not
# documented and careful consumers assume 15:00 JST, so 15:30 JST Monday to Friday (Monday
# brings Friday's quotes). A Japanese holiday is an unchanged file: the run skips.
JGB = Cadence(
    name="mof_jgb", frequency="daily", zone=TOKYO, cron="30 15 * * 1-5", release=time(15, 0),
    description="MOF JGB constant-maturity yields.",
    # Longest normal gap: a weekend plus a holiday; Golden Week and New Year close Tokyo
    # (the fail window covers them).
    expected_every=timedelta(days=4), late_after=timedelta(days=8),
    lateness=BusinessDays(5),
    max_gap=Gap(days=10),  # Golden Week and New Year close Tokyo for up to 9 days
    # Polled densely 14:30-16:30: the undocumented release time with half an hour before it.
    window=polling.Window("mof_jgb", TOKYO, time(14, 30), time(16, 30)),
)
# MOF's weekly portfolio flows are released Thursday (sometimes Friday) at 08:50 JST.
FLOWS_WEEKLY = Cadence(
    name="mof_flows_weekly", frequency="weekly", zone=TOKYO, cron="30 9 * * 4,5",
    release=time(8, 50), description="MOF weekly portfolio flows (week.csv).",
    expected_every=timedelta(days=9), late_after=timedelta(days=16),
    lateness=Days(14), max_gap=Gap(days=8),
    window=polling.Window("mof_week", TOKYO, time(8, 30), time(9, 30),
                          weekdays=frozenset({3, 4})),
)
# The monthly files (montha1.csv, monthb3.csv) are released around the 8th-12th at 08:50 JST;
# days 8-14 cover a release moved by a weekend or holiday.
FLOWS_MONTHLY = Cadence(
    name="mof_flows_monthly", frequency="monthly", zone=TOKYO, cron="30 9 8-14 * *",
    release=time(8, 50),
    description="MOF monthly portfolio flows, total and by investor type.",
    expected_every=timedelta(days=36), late_after=timedelta(days=50),
    lateness=Months(2),  # month m is released around the 8th-12th of m+1
    max_gap=Gap(months=1),
)
