"""Run alembic migrations from the service (``aiguillage migrate``, tests)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic.config import Config

from alembic import command

_REPO_SCRIPTS = Path(__file__).resolve().parents[2] / "alembic"
_PACKAGED_SCRIPTS = Path(__file__).resolve().parents[1] / "_alembic"


def _script_location() -> Path:
    """The repository's alembic/ in a checkout, the copy inside the wheel otherwise."""
    for candidate in (_REPO_SCRIPTS, _PACKAGED_SCRIPTS):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("alembic migration scripts not found")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_script_location()))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate synchronously; env.py runs its own event loop, so never on a loop's thread."""
    config = alembic_config(database_url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config, revision)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.upgrade, config, revision).result()
