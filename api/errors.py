"""Error answers: 4xx with a reason and never the upload echoed back; a 405 that lists every method.

FastAPI's own 422 repeats each invalid input (`input`, `ctx`): for a document upload that is the
document, and for one holding NaN, Infinity or a lone surrogate it cannot even be written as JSON (a
500). Here a validation error names the field (`loc`), the rule (`msg`) and the kind (`type`) only,
and every reason is escaped so that it always encodes.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

#: A reason is cut to this many characters (a reason names the field; it never needs more).
MAX_REASON = 500


def safe_text(text: str) -> str:
    """`text` cut to MAX_REASON characters, with whatever UTF-8 cannot encode (lone surrogates) escaped."""
    cut = text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."
    return cut.encode("utf-8", "backslashreplace").decode("utf-8")


def _location(loc: Any) -> list[str | int]:
    return [part if isinstance(part, int) else safe_text(str(part))[:100] for part in loc or ()]


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": _location(e.get("loc")),
            "msg": safe_text(str(e.get("msg", ""))),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()[:20]
    ]
    return JSONResponse({"detail": errors}, 422)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        methods: set[str] = set()
        for route in request.app.router.routes:
            match, _ = route.matches(request.scope)
            if match != Match.NONE:
                methods |= getattr(route, "methods", None) or set()
        headers["Allow"] = ", ".join(sorted(methods))
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    detail = safe_text(exc.detail) if isinstance(exc.detail, str) else exc.detail
    return JSONResponse({"detail": detail}, exc.status_code, headers=headers)


async def _database_down(_request: Request, _exc: Exception) -> Response:
    """The database went away while serving: 503 with one line, not a 500 with a traceback."""
    return JSONResponse(
        {"detail": "the database does not answer; try again later"}, 503, headers={"Retry-After": "5"}
    )


def install(app: FastAPI) -> None:
    """Add the service's error handlers to `app`."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for lost in (OperationalError, InterfaceError):
        app.add_exception_handler(lost, _database_down)
