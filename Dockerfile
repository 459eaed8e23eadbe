# syntax=docker/dockerfile:1
# Build stage: the same locked install `make` and CI use (requirements.lock).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY service ./service
COPY projections ./projections
COPY integrity ./integrity
COPY feed ./feed
COPY usecases ./usecases
COPY api ./api
# Every dependency from the lock, each checked against its hashes (decision 103).
RUN python -m venv /opt/venv \
    && /opt/venv/bin/python -m pip install --require-hashes -r requirements.lock \
    && /opt/venv/bin/python -m pip install --no-deps .

# Runtime stage: no compilers, a non-root user, data on a volume.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PMO_LEDGER_DATA_DIR=/var/lib/pmo-ledger \
    PMO_LEDGER_HOST=0.0.0.0 \
    PMO_LEDGER_PORT=8000
# WeasyPrint renders issued reports to PDF through Pango and HarfBuzz.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# HOME is outside the data volume: caches and dotfiles never land in the store.
RUN groupadd --system pmo \
    && useradd --system --gid pmo --home-dir /home/pmo --create-home pmo \
    && mkdir -p /var/lib/pmo-ledger && chown pmo:pmo /var/lib/pmo-ledger
ENV HOME=/home/pmo
COPY --from=build /opt/venv /opt/venv
USER pmo
VOLUME ["/var/lib/pmo-ledger"]
EXPOSE 8000
# The probe reads PMO_LEDGER_PORT at run time, so `-e PMO_LEDGER_PORT=9000` is followed.
# The first start writes the bootstrap token to /var/lib/pmo-ledger/bootstrap-token
# (mode 0600), not to the log: `docker exec <container> cat` it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os,sys,urllib.request; port = os.environ.get('PMO_LEDGER_PORT', '8000'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]
CMD ["pmo-ledger", "serve"]
