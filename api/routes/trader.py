"""The trader's page: static HTML and JavaScript that check an account inside the browser.

Besides the page, this router serves the browser build of snarkjs from the pinned npm package and
circomlib's Poseidon constants (the ones the circuits use) as JSON.
"""

from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse

from zksolvency.contracts.solidity import poseidon_constants
from zksolvency.prover.toolchain import ToolchainError

STATIC = Path(__file__).resolve().parent.parent / "static" / "trader"
SNARKJS = Path(__file__).resolve().parents[2] / "node_modules" / "snarkjs" / "build" / "snarkjs.min.js"
#: Poseidon widths the page needs: up to 12 inputs (the leaf's vector hash), so t = 2..13.
WIDTHS = range(2, 14)

#: The page may talk to this server only (connect-src 'self'): nothing it reads can be sent elsewhere.
#: snarkjs compiles WebAssembly and may start workers from blob: URLs.
CSP = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
    "connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(tags=["trader page"])


@cache
def _constants() -> dict[str, dict[str, list]]:
    out = {}
    for t in WIDTHS:
        k = poseidon_constants(t)
        out[str(t)] = {
            "C": [hex(x) for x in k.c],
            "S": [hex(x) for x in k.s],
            "M": [[hex(x) for x in row] for row in k.m],
            "P": [[hex(x) for x in row] for row in k.p],
        }
    return out


@router.get("/trader", include_in_schema=False)
def trader_redirect() -> RedirectResponse:
    """The page lives at /trader/."""
    return RedirectResponse("/trader/")


@router.get("/trader/", include_in_schema=False)
def trader_page() -> FileResponse:
    """The trader's page."""
    return FileResponse(STATIC / "index.html", media_type="text/html", headers=PAGE_HEADERS)


#: The page's own scripts, by file name.
SCRIPTS = {
    "page.js": "what the checks share: the API, input faults against failed checks, integers and hashes",
    "trader.js": "the record's checks, the epoch's facts, the record's download",
    "margin-proof.js": "a margin proof's checks",
    "poseidon.js": "Poseidon as circomlib computes it, in BigInt JavaScript",
    "margin.js": "the margin model (parameters, their hash vector, an account's and its positions' figures)",
    "black76.js": "Black-76 prices and Greeks in 2^128 fixed point, bit for bit as verifier/black76.py",
    "scenarios.js": "the scenario grid's rules and risk arrays, bit for bit as verifier/scenarios.py",
    "grid.js": "a portfolio account's scenario grid as an SVG heat map",
}


@router.get("/trader/{name}.js", include_in_schema=False)
def page_script(name: str) -> FileResponse:
    """One of the page's scripts (see SCRIPTS), or snarkjs's browser build from the pinned npm package."""
    if name == "snarkjs.min":
        if not SNARKJS.is_file():
            raise HTTPException(status.HTTP_404_NOT_FOUND, "snarkjs is not installed here (run npm ci)")
        return FileResponse(SNARKJS, media_type="text/javascript")
    if f"{name}.js" not in SCRIPTS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no script {name}.js")
    return FileResponse(STATIC / f"{name}.js", media_type="text/javascript")


@router.get("/trader/poseidon-constants.json", include_in_schema=False)
def poseidon_constants_json() -> JSONResponse:
    """circomlib's Poseidon constants (optimised form C, S, M, P) for t = 2..13."""
    try:
        return JSONResponse(_constants(), headers={"Cache-Control": "public, max-age=86400"})
    except ToolchainError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
