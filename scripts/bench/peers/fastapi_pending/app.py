"""`GET /api/v1/reminders/pending/me` served the way the seed's stack serves it: FastAPI,
an asyncpg pool and PyJWT, under uvicorn.

It is the peer of `reminders-bench gateway-pending --peer-command`: the benchmark runs it on
the same database beside our gateway and compares the two. It does the same work per request
as the gateway (token check, user check with the same 30 s cache, the same query, the same
JSON fields and timestamp form), so the comparison measures the stacks, not different features.

Environment (set by the benchmark):
  DATABASE_URL         postgresql://user:password@host:port/database (required)
  JWT_SECRET           HS256 key of the tokens (required)
  JWT_ISSUER           when set, tokens must carry this `iss`
  JWT_AUDIENCE         when set, tokens' `aud` must name it
  DATABASE_POOL_SIZE   database connections of all workers together (default 8, the gateway's)
  WEB_CONCURRENCY      uvicorn's worker processes (default 2); the pool is split between them
"""

import os
import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone

import asyncpg
import jwt
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

# The gateway's pending query (PostgresGatewayStore.pending), word for word, so both servers
# ask PostgreSQL the same thing. Keep it in step with the store.
PENDING_SQL = """
SELECT * FROM (
    SELECT DISTINCT ON (reminder_id) id, reminder_id, sag_id, event_id::text AS event_id, title, message, priority, case_title, created_at, snoozed_until,
    (dismissed_at IS NULL AND acknowledged_at IS NULL
     AND (snoozed_until IS NULL OR snoozed_until <= clock_timestamp())) AS is_pending
      FROM sag_reminder_inbox
     WHERE user_id = $1 AND dismissed_at IS NULL AND acknowledged_at IS NULL
     ORDER BY reminder_id, id DESC
) newest
 WHERE is_pending
   -- A deleted or deactivated reminder takes its entries with it.
   AND EXISTS (SELECT 1 FROM sag_reminders r WHERE r.id = newest.reminder_id AND r.stopped_at IS NULL)
 ORDER BY id DESC
 LIMIT $2
"""

# At most this many entries per answer, as the gateway.
PAGE_SIZE = 100
# Clock skew allowed for `exp` and `nbf`, as the gateway.
LEEWAY_SECONDS = 30
# How long a user seen active is taken to stay active, as the gateway's cache.
ACTIVE_USER_SECONDS = 30.0

SECRET = os.environ["JWT_SECRET"]
ISSUER = os.environ.get("JWT_ISSUER") or None
AUDIENCE = os.environ.get("JWT_AUDIENCE") or None
WORKERS = max(1, int(os.environ.get("WEB_CONCURRENCY", "2")))
POOL_SIZE = max(1, int(os.environ.get("DATABASE_POOL_SIZE", "8")) // WORKERS)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=POOL_SIZE, max_size=POOL_SIZE)
    app.state.active_until = {}
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def current_user(request: Request) -> int:
    """The token's user: HS256 with `exp` required, user id in `sub`; unknown users 401,
    deactivated ones 403. Active users are remembered for a while, as the gateway does."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("a bearer token is required")
    try:
        claims = jwt.decode(
            token.strip(), SECRET, algorithms=["HS256"], leeway=LEEWAY_SECONDS, issuer=ISSUER, audience=AUDIENCE,
            options={"require": ["exp"], "verify_aud": AUDIENCE is not None},
        )
        user_id = int(claims["sub"])
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        raise unauthorized("the token is not valid")
    if not 1 <= user_id <= 2**31 - 1:
        raise unauthorized("the token's sub claim is not a user id")
    active_until = request.app.state.active_until
    if active_until.get(user_id, 0.0) > time.monotonic():
        return user_id
    is_active = await request.app.state.pool.fetchval("SELECT is_active FROM users WHERE user_id = $1", user_id)
    if is_active is None:
        raise unauthorized("the token's user does not exist")
    if not is_active:
        raise HTTPException(status_code=403, detail="the user is deactivated")
    active_until[user_id] = time.monotonic() + ACTIVE_USER_SECONDS
    return user_id


def timestamp(value: datetime) -> str:
    """The gateway's form: UTC with six fractional digits, `2026-03-29T01:30:00.123456Z`."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@app.get("/api/v1/reminders/pending/me")
async def pending(request: Request, user_id: int = Depends(current_user)) -> JSONResponse:
    rows = await request.app.state.pool.fetch(PENDING_SQL, user_id, PAGE_SIZE)
    # Every value is already JSON-ready, so the response is built directly rather than passed
    # through FastAPI's generic encoder, which would only add time.
    return JSONResponse([
        {
            "id": row["id"],
            "reminder_id": row["reminder_id"],
            "sag_id": row["sag_id"],
            "event_id": row["event_id"],
            "title": row["title"],
            "message": row["message"],
            "priority": row["priority"],
            "case_title": row["case_title"],
            "created_at": timestamp(row["created_at"]),
        }
        for row in rows
    ])
