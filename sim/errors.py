"""The simulator's one error: a scenario that cannot be run, and where it is wrong."""

from __future__ import annotations


class ScenarioError(ValueError):
    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.detail = detail
