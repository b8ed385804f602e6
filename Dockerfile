# The app image: slim Python 3.11, dependencies pinned by requirements.txt, run as a non-root
# user. The catalog, the downloads and the trained model live in /data/cache, a volume that
# replicas share (one builds and trains under a file lock, the others wait and load its files).
# BASE: any image with `python` and `pip` on PATH from one environment (scripts/base_image.sh
# builds one from Debian packages where Docker Hub cannot be reached).
ARG BASE=python:3.11-slim

# Dependencies in their own stage, installed into /deps: the wheels an offline build brings
# never reach the final image (a COPY layer keeps its bytes even when a later RUN deletes them).
FROM ${BASE} AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# An offline build passes a directory of wheels (--build-arg WHEELHOUSE=.wheelhouse, made inside
# the same base so environment markers match: scripts/image_check.sh); the default (a file, no
# wheels) keeps pip on its index.
ARG WHEELHOUSE=requirements.txt
COPY requirements.txt /tmp/requirements.txt
COPY ${WHEELHOUSE} /tmp/wheelhouse
RUN if ls /tmp/wheelhouse/*.whl >/dev/null 2>&1; then \
        pip install --no-index --find-links /tmp/wheelhouse --target /deps \
            -r /tmp/requirements.txt; \
    else \
        pip install --target /deps -r /tmp/requirements.txt; \
    fi

FROM ${BASE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/deps \
    STREAMLIT_GLOBAL_DEVELOPMENT_MODE=false \
    RECOMMENDER_CACHE_DIR=/data/cache \
    STREAMLIT_SERVER_PORT=8501

WORKDIR /app
# This layer changes only when requirements.txt does. Streamlit takes a package outside
# site-packages for a source checkout and turns development mode on (which refuses
# server.port): STREAMLIT_GLOBAL_DEVELOPMENT_MODE=false above says it is not one.
COPY --from=deps /deps /deps

RUN useradd --create-home --uid 10001 --user-group app \
    && mkdir -p /data/cache \
    && chown app:app /data/cache
# The code stays owned by root: the app user can read it, not change it.
COPY streamlit_app.py ./
COPY .streamlit/config.toml .streamlit/config.toml
COPY recommender ./recommender
COPY ui ./ui
COPY pages ./pages

USER app
VOLUME ["/data/cache"]
EXPOSE 8501

# A cold start downloads the datasets, builds the catalog and trains (minutes on a small
# machine), hence the long start period. The slim image has no curl: Python asks instead.
# Port: STREAMLIT_SERVER_PORT, read by Streamlit and by the check, so two containers on host
# networking each ask their own server.
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('STREAMLIT_SERVER_PORT', '8501'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/_stcore/health', timeout=4).read().strip() == b'ok' else 1)"]

CMD ["python", "-m", "streamlit", "run", "streamlit_app.py", \
     "--server.address=0.0.0.0", "--server.headless=true", \
     "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"]
