"""(to be written: issue 6)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1/sla-policies", tags=["sla"])
