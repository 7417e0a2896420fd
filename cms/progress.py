"""Progress of long management commands that stays quiet in logs.

On a terminal one line is redrawn in place, at most once a second. Into a file or a pipe
(a log, CI) a plain line is written at most every LOG_INTERVAL seconds, so a 100,000-item run
writes a handful of lines, not one per item. `finish()` writes the final count after a run
that showed progress; a run shorter than one interval stays silent (the command's own
summary follows).
"""

import time
from collections.abc import Callable

TTY_INTERVAL = 1.0
LOG_INTERVAL = 10.0
BAR_WIDTH = 30


class Progress:
    def __init__(
        self,
        stream,
        total: int | None,
        noun: str = "items",
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        # Django's OutputWrapper (a command's self.stderr) ends every write with a newline,
        # which would break the redrawn line: write to the stream it wraps.
        self.stream = getattr(stream, "_out", stream)
        self.total = total
        self.noun = noun
        self.clock = clock
        isatty = getattr(stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.interval = TTY_INTERVAL if self.tty else LOG_INTERVAL
        self.started = clock()
        self.last_written = self.started
        self.done = 0
        self.written = False

    def update(self, done: int) -> None:
        """Record that `done` items are complete; write if the interval has passed."""
        self.done = done
        now = self.clock()
        if now - self.last_written >= self.interval:
            self.last_written = now
            self._write(now)

    def finish(self) -> None:
        """Write the final count (and end the terminal line) if progress was shown."""
        if not self.written:
            return
        self._write(self.clock())
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()

    def _write(self, now: float) -> None:
        self.written = True
        rate = self.done / max(now - self.started, 1e-6)
        counted = f"{self.done}/{self.total}" if self.total is not None else f"{self.done}"
        text = f"{counted} {self.noun}  {rate:,.0f}/s"
        if self.tty:
            if self.total:
                filled = min(BAR_WIDTH, BAR_WIDTH * self.done // self.total)
                text = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {text}"
            self.stream.write(f"\r{text}")
        else:
            self.stream.write(f"  {text}\n")
        self.stream.flush()
