"""The application factory: one Settings in, one FastAPI app out; nothing built at import."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from router import __version__
from router.api import audit, auth, console, docs, health, problems, widget
from router.api.audit import AuditTrail
from router.api.guard import check_every_route_declared
from router.api.intake import chat, email, messages, originals, webhooks
from router.api.limits import BodySizeLimit
from router.api.manage import (
    advisors,
    alerts,
    apikeys,
    catalog,
    classifier,
    csat,
    held,
    kpi,
    rules,
    simulations,
    sla,
)
from router.api.observed import HttpMetrics
from router.api.origins import WidgetCors
from router.api.request_log import RequestLog
from router.api.workspace import (
    conversations,
    customers,
    history,
    identities,
    live,
    offers,
    queues,
    replies,
    search,
    templates,
    tickets,
)
from router.runtime import Runtime
from router.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Read at start: a test may serve the same routes again with other settings (the
        # routes take a third of a second of CPU to build), see app_settings_shape.
        settings: Settings = app.state.settings
        runtime = Runtime.build(settings)
        await runtime.start(run_workers=settings.run_worker_in_api)
        app.state.runtime = runtime
        await runtime.check_shared_limits()
        try:
            await runtime.start_smtp()
            runtime.start_metrics(with_gauges=True)
        except OSError:
            await runtime.stop()
            raise
        log.info(
            "Aiguillage %s ready on http://%s:%d (console /, API docs /docs; database %s, "
            "broker %s, worker %s)",
            __version__,
            settings.host,
            settings.port,
            runtime.db.dialect,
            settings.broker_scheme,
            "in-process" if settings.run_worker_in_api else "external",
        )
        # What start-up loaded (models, classifier, routing index) lives as long as the
        # process: keep it out of the collector's full passes, which otherwise stall
        # requests for ~0.2 s each time (measured by bench/history.py).
        gc.freeze()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="Aiguillage",
        version=__version__,
        summary="Omnichannel conversation router and ticketing backend",
        lifespan=lifespan,
        responses=problems.ERROR_RESPONSES,
        # Served by router.api.docs from vendored assets, so that they work offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    problems.install(app)
    # Routes are matched in order, one by one: the high-volume intake paths come first.
    routers = (
        health,
        messages,
        webhooks,
        chat,
        email,
        auth,
        conversations,
        customers,
        advisors,
        queues,
        offers,
        catalog,
        rules,
        alerts,
        held,
        classifier,
        apikeys,
        audit,
        replies,
        identities,
        originals,
        tickets,
        history,
        templates,
        sla,
        csat,
        kpi,
        search,
        live,
        simulations,
    )
    for module in (*routers, widget, console):
        app.include_router(module.router)
    docs.install(app)
    check_every_route_declared(app)
    app.add_middleware(AuditTrail)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        overrides={
            "/v1/email/inbound": settings.email_max_message_bytes,
            "/v1/chat/files": settings.webchat_upload_max_bytes,
        },
        # the files of a reply, with room for the form around them
        suffixes={"/replies": reply_body_limit(settings)},
    )
    if settings.webchat_origin_list:  # outside the size limit: a 413 is readable cross-origin
        app.add_middleware(WidgetCors, origins=settings.webchat_origin_list)
    app.add_middleware(HttpMetrics)  # refused bodies are counted too
    app.add_middleware(RequestLog, access=settings.access_log)  # outermost: sees every answer
    return app


def reply_body_limit(settings: Settings) -> int:
    """A reply with its files: every file at the limit, base64-encoded (4 bytes for 3),
    plus the rest of the body."""
    files = settings.reply_max_files * settings.reply_file_max_bytes
    return files * 4 // 3 + settings.max_body_bytes


def app_settings_shape(settings: Settings) -> tuple[object, ...]:
    """The settings create_app itself reads (its middleware); everything else is read by the
    lifespan from ``app.state.settings``. Apps of one shape differ only in that state."""
    return (
        settings.max_body_bytes,
        settings.email_max_message_bytes,
        settings.webchat_upload_max_bytes,
        reply_body_limit(settings),
        settings.webchat_origin_list,
        settings.access_log,
    )
