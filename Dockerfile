# The Tandem worker: `tandem run` with real tokens, Redis and Rasa given by URL (compose.yml).
# Build: docker build -t tandem-worker .
FROM python:3.11-slim

COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /usr/local/bin/uv

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PYTHONUNBUFFERED=1 \
    PTB_TIMEDELTA=true \
    PATH=/app/.venv/bin:$PATH \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    DATA_DIR=/app/data \
    STATE_DIR=/app/.tandem

WORKDIR /app
# Dependencies first: the layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY bot/ bot/
COPY nlu/ nlu/
COPY handoff/ handoff/
COPY playground/ playground/
COPY data/ data/
COPY config.yml slack-manifest.yml ./
RUN uv sync --frozen --no-dev

# No root at run time; the state folder is the only place the worker writes.
RUN useradd --create-home --uid 10001 tandem && mkdir -p /app/.tandem && chown tandem /app/.tandem
USER tandem

EXPOSE 8080
# Liveness only (the process serves HTTP); /readyz also checks Redis, Rasa, Telegram and
# Slack, which a load balancer should use instead, so one Slack outage restarts nothing.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
CMD ["tandem", "run"]
