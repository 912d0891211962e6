"""Satisfaction surveys: the customer's answer page (public, by link) and the team report.

The link's token is the only credential: both survey routes are public and throttled per
client address. Browsers get a small HTML page (the form posts back to the same address);
clients asking for JSON (``Accept: application/json``) get JSON.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from router.api.deps import DB
from router.api.guard import THROTTLED_PUBLIC_ROUTE, Supervisor
from router.errors import DomainError, InvalidRequest
from router.models.csat import CsatAnswer, CsatQuestion, CsatReport
from router.models.validation import IsoDateTime, OptionalIdQuery
from router.supervision import csat_report
from router.tickets import csat
from router.tickets import survey_text as survey

router = APIRouter(prefix="/v1", tags=["satisfaction"])
Token = Annotated[
    str,
    Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$", description="from the link"),
]
_FORM = "application/x-www-form-urlencoded"
# The page is reached by a secret link: kept out of caches, referrers and other origins.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
}
_BOTH = {
    200: {
        "description": "the survey (JSON when asked for, an HTML page otherwise)",
        "content": {"text/html": {}},
    }
}


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _html(page: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(page, status_code=status, headers=_PAGE_HEADERS)


async def _answer_body(request: Request) -> CsatAnswer:
    """The answer as JSON, or as the answer page's form."""
    raw = await request.body()
    is_form = request.headers.get("content-type", "").startswith(_FORM)
    try:
        if is_form:
            try:
                fields = parse_qs(raw.decode("utf-8", "replace"), max_num_fields=10)
            except ValueError:
                raise InvalidRequest("too many form fields", field="body") from None
            return CsatAnswer.model_validate({k: v[0] for k, v in fields.items()})
        return CsatAnswer.model_validate_json(raw or b"{}")
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


@router.get(
    "/csat/{token}",
    response_model=CsatQuestion,
    responses=_BOTH,  # type: ignore[arg-type]
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="A satisfaction survey: the question, or that it was answered",
    description="Unknown link: 404; expired (after 30 days): 410 with the reason.",
)
async def get_survey(request: Request, db: DB, token: Token) -> Response:
    try:
        current = await csat.question(db, token)
    except DomainError as error:
        if _wants_json(request):
            raise
        return _html(await csat.notice_page(db, token, error), error.status_code)
    if _wants_json(request):
        return JSONResponse(current.model_dump(mode="json"), headers=_PAGE_HEADERS)
    language = survey.language_of(current.language)
    page = survey.thanks_page(language) if current.answered else survey.form_page(language)
    return _html(page)


@router.post(
    "/csat/{token}",
    response_model=CsatQuestion,
    responses=_BOTH,  # type: ignore[arg-type]
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="Answer a satisfaction survey (score 1-5, optional comment), once",
    description="JSON `{score, comment}` or the answer page's form. Already answered: 409; "
    "unknown link: 404; expired (after 30 days): 410.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": CsatAnswer.model_json_schema()},
                _FORM: {"schema": CsatAnswer.model_json_schema()},
            },
        }
    },
)
async def answer_survey(
    request: Request,
    db: DB,
    token: Token,
    data: Annotated[CsatAnswer, Depends(_answer_body)],
) -> Response:
    try:
        answered = await csat.answer(db, token, data)
    except DomainError as error:
        if _wants_json(request) or isinstance(error, InvalidRequest):
            raise
        return _html(await csat.notice_page(db, token, error), error.status_code)
    if _wants_json(request) or not request.headers.get("content-type", "").startswith(_FORM):
        return JSONResponse(answered.model_dump(mode="json"), headers=_PAGE_HEADERS)
    return _html(survey.thanks_page(survey.language_of(answered.language)))


@router.get(
    "/reports/csat",
    response_model=CsatReport,
    summary="Satisfaction: surveys sent and answered, mean score, distribution, per team",
    description="Surveys sent in [since, until) (default: the last 30 days, at most 366), of "
    "one team (the team of the advisor who owned the conversation) or of every team the "
    "caller supervises.",
)
async def report(
    db: DB,
    viewer: Supervisor,
    team_id: OptionalIdQuery = None,
    since: IsoDateTime | None = None,
    until: IsoDateTime | None = None,
) -> CsatReport:
    return await csat_report.csat_report(db, viewer, team_id=team_id, since=since, until=until)
