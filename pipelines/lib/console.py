"""What a run prints on the console: one line per thing an operator has to know, nothing else.

Dagster's default console logger prints every event, a stack trace with every failure, each
failure again for every step it abandons, and its own bookkeeping ("Skipping step …", "did not
yield or return expected outputs {…}", "Blocking asset check … emitted no result …"). All of
that stays in the event log (the UI shows it); the console gets:

- one line per failure: the step (which names the table or asset), then the message the code
  raised or logged, which names the source, the redacted URL and the cause. No stack trace; a
  failure already reported in a line of its own (the per-table error an ingest logs) is not
  repeated when the step or the run fails because of it, and further failures of a step with
  the same cause are counted in one line (a bad API key: two lines, not one per series);
- one line per warning or progress message the code logs itself, except the "nothing new"
  chatter (a run with nothing new prints nothing);
- nothing of Dagster's own bookkeeping (`log_level: DEBUG` shows every event, one line each).

`one_line_console_logger` replaces Dagster's `console` logger in the Definitions, so `make
demo`, `make run`, `dagster job execute` and runs launched from the UI all print this way; it
takes the same config (`log_level`, `name`), and `log_level: DEBUG` still prints every event
(as one line each). Every line is passed through the secret scrubber.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import Any

import dagster as dg

from pipelines.lib.redact import redact_text

MAX_LINE = 400  # characters of one message on the console; the event log keeps all of it

# Dagster's own INFO/ERROR messages that say nothing an operator needs on the console: skips
# and abandons are consequences of a failure already printed (or of nothing new upstream).
FRAMEWORK_CHATTER = (
    re.compile(r"^Skipping step \S+ due to skipped dependencies"),
    re.compile(r"^Dependencies for step \S+ (failed|were not executed)"),
    re.compile(r"did not yield or return expected outputs"),
    re.compile(r"^Blocking asset check .* emitted no result"),
)
# The project's own INFO messages that only say "nothing new" or where a file went.
NOTHING_NEW = (
    re.compile(r"unchanged since the last load"),
    re.compile(r"^validation report: "),
    re.compile(r"^FRED: \d+ series, "),
    re.compile(r"all already in staging"),
    re.compile(r"\bnothing (new|written|to do)\b"),
    re.compile(r"kept as it is$"),
)
# The step that turns the run's failed refreshes into failed checks (defs/outcomes.py): it only
# repeats failures the assets' own steps printed.
OUTCOMES_STEP = "refresh_outcomes"
# Dagster events worth one line on the console at INFO.
RUN_END_EVENTS = {"RUN_FAILURE", "RUN_SUCCESS", "RUN_CANCELED"}
QUALIFIED_ERROR = re.compile(r"^((?:\w+\.)+)(\w+): ")


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """The text on one line: whitespace runs collapsed, cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _error_message(error: Any) -> str:
    """The innermost error's `Class: message` (the user's exception, not Dagster's wrapper)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    if getattr(error, "cls_name", None) == "DagsterExecutionInterruptedError":
        return "interrupted (Ctrl-C or SIGTERM)"
    message = (getattr(error, "message", "") or "").strip()
    if not message:
        return getattr(error, "cls_name", "") or "error"
    # SerializableErrorInfo.message reads "package.module.Class: text". The project's own
    # errors already say source, URL and cause; others keep their bare class name.
    first = message.splitlines()[0]
    qualified = QUALIFIED_ERROR.match(first)
    if qualified:
        module, cls = qualified.group(1), qualified.group(2)
        rest = first[qualified.end():]
        return rest if module.startswith("pipelines.") else f"{cls}: {rest}"
    return first


def failure_lines(event: Any) -> list[str]:
    """What a STEP_FAILURE says, one item per failed table/series when the step lists them."""
    data = getattr(event, "step_failure_data", None)
    if data is None:
        return []
    user = data.user_failure_data
    if user is not None:
        listed: list[str] = []
        for value in (user.metadata or {}).values():
            items = getattr(value, "value", None)
            if isinstance(items, list) and items and all(isinstance(i, str) for i in items):
                listed.extend(items)
        description = (user.description or "").strip()
        if listed and all(":" in item for item in listed):
            return listed  # e.g. "tic (https://…): slt_table5.txt: line 12: …"
        lines = [ln for ln in description.splitlines() if ln.strip()]
        if len(lines) > 1:
            return lines[1:]  # "N of M series failed:" then one line per series
        return [description or "failed"]
    if data.error is not None:
        return [_error_message(data.error)]
    return ["failed"]


def _mentions(text: str, subject: str) -> bool:
    """Whether `text` names `subject` as a whole word (e.g. a series id)."""
    pattern = rf"(?<![\w/]){re.escape(subject)}(?![\w/])"
    return bool(subject) and re.search(pattern, text) is not None


def _same_cause(a: str, b: str) -> bool:
    """Equal causes, though `one_line` may have cut either one at a different length."""
    a, b = a.rstrip("…"), b.rstrip("…")
    return a.startswith(b) or b.startswith(a)


def _distinct_words(subjects: list[str]) -> list[str]:
    """What tells the subjects apart: the words not shared by all of them (the ids)."""
    words = [s.split() for s in subjects]
    common = set.intersection(*(set(w) for w in words)) if words else set()
    return [" ".join(x for x in w if x not in common) or s for w, s in zip(words, subjects,
                                                                          strict=True)]


class OneLineFormatter(logging.Formatter):
    """Turns a Dagster log record into zero or more console lines (see the module docstring).

    Failures are split into subject and cause at the first ": " ("fred DGS10 (url)" / "HTTP
    404"; "tic (url)" / "slt_table5.txt: line 7: …"). A failure whose cause was already printed
    for the same step is not printed again: when the step ends, one line counts the further
    subjects with that cause (a bad API key is two lines, not eighteen), and a failure the step
    repeats in its own failure event is dropped.
    """

    def __init__(self, threshold: int = logging.INFO) -> None:
        super().__init__()
        self.threshold = threshold
        self.verbose = threshold <= logging.DEBUG
        # step -> cause -> subjects printed or counted, and those only counted
        self._causes: dict[str, dict[str, list[str]]] = {}
        self._more: dict[str, dict[str, list[str]]] = {}

    def _failure(self, step: str, text: str) -> list[str]:
        text = one_line(text)
        subject, sep, cause = text.partition(": ")
        if not sep:
            subject, cause = "", text
        if step == OUTCOMES_STEP and any(_same_cause(cause, printed)
                                         for c in self._causes.values() for printed in c):
            return []
        causes = self._causes.setdefault(step, {})
        if cause not in causes:
            # The same cause logged under another step (a step failure repeating a log line)
            # still counts as printed.
            causes[cause] = [subject]
            prefix = f"{step}: " if step else ""
            return [f"FAILED {prefix}{text}"]
        known = causes[cause]
        if any(s == subject or _mentions(s, subject) or _mentions(subject, s) for s in known
               if s and subject) or not subject:
            return []  # the same failure again (e.g. in the step's failure event)
        known.append(subject)
        self._more.setdefault(step, {}).setdefault(cause, []).append(subject)
        return []

    def _flush(self, step: str) -> list[str]:
        out = []
        prefix = f"{step}: " if step else ""
        for cause, subjects in self._more.pop(step, {}).items():
            first = self._causes[step][cause][0]
            names = _distinct_words([first, *subjects])[1:]
            out.append(f"FAILED {prefix}{len(subjects)} more with the same cause:"
                       f" {one_line(', '.join(names), 200)}")
        return out

    def lines(self, record: logging.LogRecord) -> list[str]:
        meta = getattr(record, "dagster_meta", None)
        if meta is None:  # a plain Python log record
            return [one_line(record.getMessage())] if record.levelno >= self.threshold else []
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        message = meta.get("orig_message") or ""
        prefix = f"{step}: " if step else ""
        if event is not None:
            kind = event.event_type_value
            if kind == "STEP_FAILURE":
                out = [line for text in failure_lines(event) for line in self._failure(step, text)]
                return out + self._flush(step)
            if kind in ("STEP_SUCCESS", "STEP_SKIPPED"):
                return self._flush(step)
            if kind in RUN_END_EVENTS:
                tail = [line for s in list(self._more) for line in self._flush(s)]
                return tail + ([f"{kind} {one_line(message)}"] if self.verbose else [])
            if kind == "ENGINE_EVENT" and record.levelno >= logging.ERROR:
                error = getattr(event.event_specific_data, "error", None)
                detail = f": {_error_message(error)}" if error is not None else ""
                return [f"ERROR {prefix}{one_line(message)}{detail}"]
            return [f"{kind} {prefix}{one_line(message)}"] if self.verbose else []
        if record.levelno < self.threshold:
            return []
        if any(p.search(message) for p in FRAMEWORK_CHATTER):
            return [f"{prefix}{one_line(message)}"] if self.verbose else []
        if record.levelno >= logging.ERROR:
            return self._failure(step, message)
        if record.levelno >= logging.WARNING:
            return [f"WARNING {prefix}{one_line(message)}"]
        if any(p.search(message) for p in NOTHING_NEW) and not self.verbose:
            return []
        return [f"{prefix}{one_line(message)}"]

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(redact_text(line) for line in self.lines(record))


class OneLineHandler(logging.StreamHandler):
    """A stream handler that writes nothing for records the formatter drops."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            if text:
                self.stream.write(text + self.terminator)
                self.flush()
        except Exception:  # a console problem must never fail a run
            self.handleError(record)


def console_logger(name: str = "dagster", level: str | int = "INFO",
                   stream: Any = None) -> logging.Logger:
    """A Python logger writing one-line records to `stream` (default: stdout)."""
    level_no = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    # The logger takes every record: the formatter needs step and run ends (DEBUG events) to
    # close its counts, and applies `level` itself.
    logger = logging.Logger(name, level=logging.DEBUG)
    handler = OneLineHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(OneLineFormatter(threshold=level_no))
    logger.addHandler(handler)
    return logger


@dg.logger(
    config_schema={
        "log_level": dg.Field(str, default_value="INFO", is_required=False),
        "name": dg.Field(str, default_value="dagster", is_required=False),
    },
    description="One line per failure, warning or progress message; no stack traces (they stay"
    " in the event log). DEBUG prints every event, still one line each.",
)
def one_line_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    return console_logger(config["name"], config["log_level"])


LOGGERS = {"console": one_line_console_logger}


# --- Dagster's Python-logging warnings --------------------------------------------------------

# Module loggers of Dagster that warn about things the one-line console already covers.
QUIET_PYTHON_LOGGERS = ("dagster._core.execution.plan.active",)


class DropFrameworkChatter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(p.search(record.getMessage()) for p in FRAMEWORK_CHATTER)


def install(loggers: Iterable[str] = QUIET_PYTHON_LOGGERS) -> None:
    """Drop Dagster's per-step "emitted no result" warnings (idempotent)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropFrameworkChatter) for f in logger.filters):
            logger.addFilter(DropFrameworkChatter())


install()
