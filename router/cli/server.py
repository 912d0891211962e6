"""How ``aiguillage serve`` runs the app under uvicorn.

The client address (rate limits, login lockouts, audit) is the TCP peer's unless the peer is
one of ``AIGUILLAGE_TRUSTED_PROXIES``: only then are ``X-Forwarded-For`` and
``X-Forwarded-Proto`` believed. uvicorn's own default trusts them from any local client
(127.0.0.1), which let anyone on the host, or behind a local tunnel, pick their address.
"""

from __future__ import annotations

import uvicorn
from starlette.types import ASGIApp

from router.settings import Settings


def uvicorn_config(app: ASGIApp, settings: Settings) -> uvicorn.Config:
    proxies = settings.trusted_proxy_list
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        # Our handlers and formats (``router.logs``), not uvicorn's own; our access log
        # (``router.api.request_log``) names the route template and the request id.
        log_config=None,
        access_log=False,
        # Never None: uvicorn would then read FORWARDED_ALLOW_IPS or trust 127.0.0.1.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
    )
