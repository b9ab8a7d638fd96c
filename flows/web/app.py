"""The review desk: a FastAPI app serving server-rendered pages and a JSON API over the warehouse.

Every request opens its own short DuckDB connection and closes it (one at a time: DuckDB lets one
process write a file and refuses other opens), so `flopledger run` and `review list` keep working
while the desk is up. No Prefect here.
"""

from __future__ import annotations

import html
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from flows.web.decisions import DecisionError, record_desk_decision
from flows.web.guard import TOKEN_COOKIE, DeskConfig, offered_token, refusal
from flows.web.pages import api_run, build_run_page, fmt_number, plain, records
from warehouse.connection import WarehouseError, connect_read_only
from warehouse.desk_queries import desk_queue, filter_choices, last_run, paper_of, queue_counts
from warehouse.review_queries import run_details

HERE = Path(__file__).resolve().parent
FILTERS = ("status", "source", "domain", "severity", "assumptions")  # queue filters; `set` is a run page's own set
REVIEWER_COOKIE = "flopledger_reviewer"


def _filters(query) -> dict[str, str]:
    return {k: query[k] for k in FILTERS if query.get(k)}


def _queue_args(f: dict) -> dict:
    return {"status": f.get("status"), "source": f.get("source"), "domain": f.get("domain"),
            "severity": f.get("severity"), "assumption_set": f.get("assumptions")}


class Desk:
    """The app's state: its config, the templates, and one lock around warehouse access."""

    def __init__(self, config: DeskConfig):
        self.config = config
        self.lock = threading.Lock()
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(default=True, default_for_string=True))
        self.templates.filters["num"] = fmt_number
        self.templates.filters["when"] = lambda moment: str(plain(moment))

    def read(self, fn):
        with self.lock:
            con = connect_read_only(self.config.warehouse)
            try:
                return fn(con)
            finally:
                con.close()

    def render(self, name: str, status: int = 200, **context) -> HTMLResponse:
        context |= {"warehouse": str(self.config.warehouse), "csrf_token": self.config.csrf_token()}
        return HTMLResponse(self.templates.get_template(name).render(**context), status_code=status)

    def queue(self, f: dict, rows_only: bool = False) -> dict:
        def read(con):
            rows = {"rows": records(desk_queue(con, **_queue_args(f)))}
            if rows_only:
                return rows
            return rows | {"counts": queue_counts(con, f.get("assumptions")), "choices": filter_choices(con),
                           "last_run": last_run(con)}
        return self.read(read)

    def run(self, run_id: str, set_name: str | None, f: dict) -> dict:
        def read(con):
            details = run_details(con, run_id, None, self.config.known_sets)
            sets = sorted(set(details["comparison"]["assumption_set"]) | set(details["estimates"]["assumption_set"]))
            chosen = set_name if set_name in sets else (self.config.assumption_set if self.config.assumption_set in sets
                                                          else (sets[0] if sets else self.config.assumption_set))
            paper = paper_of(con, (details["run"] or {}).get("paper_id"))
            page = build_run_page(details, paper, chosen, self.config.known_sets.get(chosen))
            queue = [(r["run_id"], r["assumption_set"]) for r in records(desk_queue(con, **_queue_args(f)))]
            return {"run_id": run_id, "details": details, "paper": paper, "page": page, "sets": sets, "set": chosen,
                    "queue": queue, "last_run": last_run(con)}
        return self.read(read)


def _neighbours(queue: list, run_id: str, set_name: str) -> tuple:
    here = (run_id, set_name)
    if here not in queue:
        return (queue[0] if queue else None), None
    i = queue.index(here)
    return (queue[i + 1] if i + 1 < len(queue) else None), (queue[i - 1] if i > 0 else None)


def _error_json(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(config: DeskConfig) -> FastAPI:
    desk = Desk(config)
    app = FastAPI(title="flopledger review desk", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        refused = refusal(config, request.method, request.headers, request.cookies, request.query_params)
        if refused:
            return _error_json(*refused) if request.url.path.startswith("/api/") else \
                HTMLResponse(f"<!doctype html><title>refused</title><p>{refused[0]}: {html.escape(refused[1])}</p>",
                             status_code=refused[0])
        response = await call_next(request)
        token = request.query_params.get("token")
        if config.token and token and token == offered_token(request.headers, request.cookies, request.query_params):
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        # same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` on form posts
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(WarehouseError)
    async def busy(request: Request, err: WarehouseError):
        if request.url.path.startswith("/api/"):
            return _error_json(503, str(err))
        return desk.render("error.html", 503, message=str(err), last_run=None)

    @app.get("/", response_class=HTMLResponse)
    def queue_page(request: Request):
        f = _filters(request.query_params)
        data = desk.queue(f)
        return desk.render("queue.html", filters=f, notice=request.query_params.get("notice"), query=urlencode(f), **data)

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(request: Request, run_id: str):
        f = _filters(request.query_params)
        try:
            data = desk.run(run_id, request.query_params.get("set"), f)
        except ValueError as err:
            return desk.render("error.html", 404, message=str(err), last_run=None)
        return _render_run(request, data, f, None)

    def _render_run(request: Request, data: dict, f: dict, error: str | None, form: dict | None = None):
        following, previous = _neighbours(data["queue"], data["run_id"], data["set"])
        reviewer = request.cookies.get(REVIEWER_COOKIE) or config.reviewer or ""
        return desk.render("run.html", 400 if error else 200, filters=f, query=urlencode(f),
                           next=following, previous=previous, error=error, form=form or {}, reviewer=reviewer,
                           default_set=config.assumption_set, **data)

    @app.post("/runs/{run_id}/decide")
    async def decide_form(request: Request, run_id: str):
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        if not config.csrf_ok(form.get("csrf_token")):
            return HTMLResponse("<!doctype html><title>refused</title><p>403: the form's CSRF token is missing or "
                                "stale; reload the page and try again</p>", status_code=403)
        f = _filters(form)
        scope = form.get("scope") or config.assumption_set
        try:
            decisions = await _decide(run_id, form.get("accept", ""), form.get("value"), form.get("note", ""),
                                      form.get("reviewer"), scope)
        except DecisionError as err:
            data = desk.run(run_id, form.get("set"), f)
            return _render_run(request, data, f, str(err), form)
        sets = ", ".join(d["assumption_set"] for d in decisions)
        notice = f"Recorded: {run_id} ({sets}) accepted {decisions[0]['accepted']} {fmt_number(decisions[0]['accepted_flop'])} FLOP"
        response = RedirectResponse(f"/?{urlencode({**{k: v for k, v in f.items()}, 'notice': notice})}", status_code=303)
        if form.get("reviewer"):
            response.set_cookie(REVIEWER_COOKIE, form["reviewer"], samesite="strict", max_age=365 * 86400)
        return response

    async def _decide(run_id, accept, value, note, reviewer, scope) -> list[dict]:
        from starlette.concurrency import run_in_threadpool

        def write():
            with desk.lock:
                return record_desk_decision(config.warehouse, run_id, accept, value, note,
                                            reviewer or config.reviewer, scope, config.lock_wait_seconds)
        return await run_in_threadpool(write)

    @app.get("/api/disagreements")
    def api_disagreements(request: Request):
        rows = desk.queue(_filters(request.query_params), rows_only=True)["rows"]
        keep = ["run_id", "assumption_set", "severity", "ratio", "review_status", "system", "domain", "source",
                "flag_reason", "operations_flop", "hardware_flop", "reported_flop", "best_flop", "best_method"]
        return [{**{k: r[k] for k in keep}, "status": r["review_status"]} for r in rows]

    @app.get("/api/runs/{run_id}")
    def api_run_detail(request: Request, run_id: str):
        try:
            data = desk.run(run_id, request.query_params.get("set"), {})
        except ValueError as err:
            return _error_json(404, str(err))
        return api_run(data["details"], data["paper"], data["page"], data["sets"])

    @app.post("/api/runs/{run_id}/decision")
    async def api_decision(request: Request, run_id: str):
        if "application/json" not in request.headers.get("content-type", ""):
            return _error_json(415, "send the decision as JSON (Content-Type: application/json)")
        try:
            body = await request.json()
        except ValueError:
            return _error_json(400, "the body is not valid JSON")
        if not isinstance(body, dict):
            return _error_json(400, 'send one object: {"accept", "value", "note", "reviewer"}')
        try:
            decisions = await _decide(run_id, str(body.get("accept", "")), body.get("value"), str(body.get("note") or ""),
                                      body.get("reviewer"), str(body.get("assumption_set") or config.assumption_set))
        except DecisionError as err:
            return _error_json(400, str(err))
        return JSONResponse({"decisions": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in d.items()}
                                           for d in decisions]}, status_code=201)

    app.state.desk = desk
    return app
