"""Per-process set-up of the metrics, run by the CLI before ``prometheus_client`` is imported.

``prometheus_client`` chooses how it stores values when it is first imported: in memory, or
in files under ``PROMETHEUS_MULTIPROC_DIR`` (one file per process and metric type, named
after the pid) that a scrape adds up. This module therefore imports it only inside
functions, after the variable is set.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

import psutil

from router.errors import ConfigurationError
from router.settings import Settings

log = logging.getLogger(__name__)

ENV = "PROMETHEUS_MULTIPROC_DIR"
_PID = re.compile(r"_(\d+)\.db$")


def prepare(settings: Settings) -> None:
    """Point ``prometheus_client`` at ``settings.metrics_dir`` (multiprocess mode), after
    forgetting the processes of that directory that died; without a directory, values live
    in this process. Must run before anything imports ``prometheus_client``."""
    if not settings.metrics or settings.metrics_dir is None:
        os.environ.pop(ENV, None)  # the settings decide, not a variable left in the shell
        return
    directory = settings.metrics_dir.resolve()
    if "prometheus_client.values" in sys.modules and os.environ.get(ENV) != str(directory):
        raise ConfigurationError(
            "prometheus_client was imported before the metrics directory was set: "
            "router.observability.process.prepare must run first"
        )
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(directory)
    forget_dead(directory)


def forget_dead(directory: Path) -> None:
    """Files of processes that are gone: their live gauges are removed (mark_process_dead);
    when no other writer of the directory is alive (the deployment restarted), their files
    go too, so that counters start again from zero rather than from a previous run."""
    from prometheus_client import multiprocess

    me = os.getpid()
    pids = {int(m.group(1)) for f in directory.glob("*.db") if (m := _PID.search(f.name))}
    dead = {pid for pid in pids if pid != me and not psutil.pid_exists(pid)}
    for pid in dead:
        multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
    if not dead or pids - dead - {me}:
        return
    for path in directory.glob("*.db"):
        match = _PID.search(path.name)
        if match and int(match.group(1)) in dead:
            path.unlink(missing_ok=True)
    log.info("metrics directory %s: files of %d ended processes removed", directory, len(dead))
