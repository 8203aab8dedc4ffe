"""Where MOF publishes each file: paths exactly as on www.mof.go.jp, below a swappable host.

Only the scheme+host changes between the real publisher and a local replica (`MOF_URL`),
so the path constants here are the single place that knows the publisher's layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "https://www.mof.go.jp"

_JGB_EN = "/english/policy/jgbs/reference/interest_rate"
_JGB_JA = "/jgbs/reference/interest_rate"
_FLOWS = "/policy/international_policy/reference/itn_transactions_in_securities"


@dataclass(frozen=True)
class MofFile:
    """One publisher file: a stable key for logs and raw landing, its path, what it holds."""

    key: str
    path: str
    description: str

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]


JGB_HISTORY_EN = MofFile(
    "jgbcme_all",
    f"{_JGB_EN}/historical/jgbcme_all.csv",
    "JGB constant-maturity yields, English, 1974-09-24 to the end of the previous month",
)
JGB_CURRENT_EN = MofFile(
    "jgbcme",
    f"{_JGB_EN}/jgbcme.csv",
    "JGB constant-maturity yields, English, business days of the current month",
)
JGB_HISTORY_JA = MofFile(
    "jgbcm_all",
    f"{_JGB_JA}/data/jgbcm_all.csv",
    "JGB constant-maturity yields, Japanese (era dates), full history",
)
JGB_CURRENT_JA = MofFile(
    "jgbcm",
    f"{_JGB_JA}/jgbcm.csv",
    "JGB constant-maturity yields, Japanese (era dates), current month",
)
FLOWS_WEEKLY = MofFile(
    "week",
    f"{_FLOWS}/week.csv",
    "International Transactions in Securities, weekly, designated major investors",
)
FLOWS_MONTHLY = MofFile(
    "montha1",
    f"{_FLOWS}/montha1.csv",
    "International Transactions in Securities, monthly, designated major investors",
)
FLOWS_BY_INVESTOR_LONG_TERM_DEBT = MofFile(
    "monthb3",
    f"{_FLOWS}/monthb3.csv",
    "Residents' transactions in foreign long-term debt securities by investor type, monthly",
)

JGB_FILES: tuple[MofFile, ...] = (JGB_HISTORY_EN, JGB_CURRENT_EN, JGB_HISTORY_JA, JGB_CURRENT_JA)
FLOWS_FILES: tuple[MofFile, ...] = (FLOWS_WEEKLY, FLOWS_MONTHLY, FLOWS_BY_INVESTOR_LONG_TERM_DEBT)
ALL_FILES: tuple[MofFile, ...] = JGB_FILES + FLOWS_FILES


def url(base: str, file: MofFile) -> str:
    """Full URL of `file` under `base` (scheme+host, e.g. `MOF_URL`; a trailing / is fine).

    Rejects a base without scheme and host, so a mistyped `MOF_URL` fails at start-up rather
    than as a confusing HTTP error later.
    """
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"MOF base URL must be http(s)://host[:port], got {base!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"MOF base URL must not carry a query or fragment, got {base!r}")
    return base.rstrip("/") + file.path
