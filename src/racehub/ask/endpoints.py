"""HTTP routes of answers: `POST /v1/ask` and the signed download links of generated files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse

from racehub.ask.engine import AskEngine, engine_for
from racehub.ask.schemas import AnswerOut, AskRequest
from racehub.ask.service import answer_for
from racehub.auth.dependencies import CurrentCaller, client_host, database_of, run_question

router = APIRouter(tags=["ask"])


def ask_engine(request: Request) -> AskEngine:
    """The app's engine (one per app: it keeps the event catalogue cache)."""
    engine: AskEngine | None = getattr(request.app.state, "ask_engine", None)
    if engine is None:
        database = database_of(request)
        engine = engine_for(database, database.settings)
        request.app.state.ask_engine = engine
    return engine


@router.post("/ask")
async def ask(body: AskRequest, caller: CurrentCaller, request: Request) -> AnswerOut:
    """Answer a question about your race data: the figure, the table behind it and the SQL."""
    engine = ask_engine(request)
    client = client_host(request)
    tenant = f"org:{caller.org_id}" if caller.org_id is not None else f"user:{caller.user_id}"
    answer = await run_question(
        request,
        tenant,
        lambda: answer_for(engine, caller, body.question, body.today, via="api", client_addr=client),
    )
    return AnswerOut.model_validate(answer.to_dict())


@router.get("/files/{token}/{name}", response_class=FileResponse)
def download(
    request: Request,
    token: Annotated[str, Path(max_length=64)],
    name: Annotated[str, Path(max_length=128)],
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query(max_length=128)],
) -> FileResponse:
    """Download a generated file (a CSV report, an SVG chart) through its short-lived signed link."""
    path = ask_engine(request).files.open(token, name, expires, signature)
    if path.suffix == ".svg":
        # Shown inline (the page and chat clients draw it); a chart is RaceHub's own markup, and the
        # policy keeps anything in it from running or loading.
        return FileResponse(
            path,
            media_type="image/svg+xml",
            content_disposition_type="inline",
            filename=name,
            headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, max-age=900",
            },
        )
    return FileResponse(
        path, media_type="text/csv", filename=name, headers={"X-Content-Type-Options": "nosniff"}
    )
