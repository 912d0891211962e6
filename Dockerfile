FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    AIGUILLAGE_HOST=0.0.0.0

WORKDIR /app
COPY pyproject.toml README.md ./
COPY router router
COPY channels channels
COPY skills skills
COPY clocks clocks
COPY sim sim
COPY alembic alembic
RUN pip install . && useradd --system --home /app aiguillage && mkdir -p /app/var \
    && chown aiguillage /app/var
USER aiguillage

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
    CMD ["python", "-c", "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["aiguillage", "serve"]
