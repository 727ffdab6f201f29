# TapTrail's server image. gunicorn's master runs the workers and supervises the tap drainer and
# the feed poller (server/gunicorn_conf.py), as on a host without containers: one process tree,
# started again by the master whenever a child dies. See docs/operations.md#the-deployment-kit.
#
#   docker build -t taptrail .
#   docker compose -f deploy/compose.yaml up -d

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY tags ./tags
COPY tagwriter ./tagwriter
COPY server ./server
# A wheel of the project alone: the runtime stage installs it with its dependencies from PyPI.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TAPTRAIL_BIND=0.0.0.0:8000 \
    TAPTRAIL_SPOOL_DIR=/var/lib/taptrail/spool \
    TAPTRAIL_CACHE_DIR=/var/lib/taptrail/cache \
    TAPTRAIL_MEDIA_DIR=/var/lib/taptrail/media \
    TAPTRAIL_MOBILITY_DIR=/var/lib/taptrail/mobility
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/taptrail taptrail \
    && mkdir -p /var/lib/taptrail/spool /var/lib/taptrail/cache /var/lib/taptrail/media \
        /var/lib/taptrail/mobility \
    && chown -R taptrail:taptrail /var/lib/taptrail
# Not root: the server and its drainer run as taptrail, owning only its data folder.
USER taptrail
WORKDIR /var/lib/taptrail
# The spool holds answered taps until the drainer stores them: keep it on a volume of its own
# per host (never shared between hosts); media is shared by every host.
VOLUME ["/var/lib/taptrail/spool", "/var/lib/taptrail/media"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=8)"]
CMD ["gunicorn", "-c", "python:server.gunicorn_conf", "server:create_app()"]
