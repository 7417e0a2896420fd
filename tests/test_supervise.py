"""bin/supervise, which bin/run uses to keep the background worker alive (issue 9): a command
that dies is started again; stopping the supervisor stops the command."""

import os
import signal
import subprocess
import time
from pathlib import Path

SUPERVISE = Path(__file__).resolve().parents[1] / "bin" / "supervise"


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_command_that_dies_is_started_again(tmp_path):
    starts = tmp_path / "starts"
    supervisor = subprocess.Popen(
        [str(SUPERVISE), "sh", "-c", f"echo started >> {starts}; exit 3"],
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: starts.exists() and len(starts.read_text().split()) >= 2, 10)
    finally:
        supervisor.terminate()
        assert supervisor.wait(timeout=10) == 0


def test_stopping_the_supervisor_stops_the_command(tmp_path):
    pid_file = tmp_path / "pid"
    supervisor = subprocess.Popen(
        [str(SUPERVISE), "sh", "-c", f"echo $$ > {pid_file}; exec sleep 300"],
        stderr=subprocess.DEVNULL,
    )
    assert wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), 10)
    child = int(pid_file.read_text())
    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(timeout=10)

    def gone() -> bool:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return True
        return False

    assert wait_for(gone, 10)
