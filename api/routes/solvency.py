"""The public solvency page at `/`: server-rendered HTML (no script), charts as inline SVG."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..deps import SessionDep
from ..publishing import MAX_EPOCH_ID
from ..solvency_view import solvency_view

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

#: The page runs no script and loads nothing but from this server.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(tags=["public page"])


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False, response_class=HTMLResponse)
def solvency_page(
    request: Request,
    session: SessionDep,
    epoch: Annotated[int | None, Query(ge=0, le=MAX_EPOCH_ID, description="The epoch in detail.")] = None,
) -> HTMLResponse:
    """The venue's epochs, their coverage, classes and setup, and links to the public documents."""
    view = solvency_view(session, epoch)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no epoch {epoch}")
    return TEMPLATES.TemplateResponse(request, "solvency.html", {"view": view}, headers=HEADERS)
