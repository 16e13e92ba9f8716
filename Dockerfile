# digitize: the whole pipeline (Tesseract with Russian data, Ghostscript, qpdf, OCRmyPDF) in one image.
#   docker build -t digitize .
#   docker run --rm -v "$PWD/scans:/data/scans:ro" -v "$PWD/out:/data/out" digitize run /data/scans --out /data/out
# The same image runs Dask schedulers and workers: --entrypoint dask (see compose.yaml).

# ---- stage 1: build the wheel and install it with its dependencies into a virtualenv ----
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY digitize ./digitize
# The venv is copied whole into the runtime stage; the build tools (hatchling, pip, setuptools) stay behind.
# The dask extra (dask[distributed]) makes the image a Dask scheduler or worker (`digitize run --scheduler`).
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install "$(echo /wheels/digitize-*.whl)[dask]" \
 && /opt/venv/bin/pip uninstall --yes --quiet pip setuptools

# ---- stage 2: slim runtime with the external programs the pipeline calls ----
FROM python:3.11-slim
# OMP_THREAD_LIMIT=1: Tesseract's OpenMP threads fight the page-level parallelism and slow it down.
# Caches (matplotlib, fontconfig) go to /tmp: the root filesystem may be read-only and the user any uid.
ENV LANG=C.UTF-8 \
    LC_ALL=C.UTF-8 \
    OMP_THREAD_LIMIT=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    XDG_CACHE_HOME=/tmp/.cache \
    PATH=/opt/venv/bin:$PATH
# Fonts: the same set as the Makefile's APT_PACKAGES (the PDF text layer uses OCRmyPDF's bundled font).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng tesseract-ocr-osd \
      ghostscript qpdf unpaper pngquant \
      fonts-dejavu-core fonts-freefont-ttf fonts-liberation \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log \
 && useradd --create-home --uid 1000 --user-group --shell /usr/sbin/nologin digitize \
 && mkdir -p /data/scans /data/out \
 && chown digitize:digitize /data/out
COPY --from=build /opt/venv /opt/venv
# numeric USER (the "digitize" user): Kubernetes' runAsNonRoot can check it; uid 1000 owns most users' folders.
USER 1000:1000
WORKDIR /data
# Fails (exit 5) when Tesseract, its rus/osd data, Ghostscript, qpdf or OCRmyPDF is missing or broken.
HEALTHCHECK --interval=5m --timeout=60s --start-period=10s CMD ["digitize", "doctor"]
ENTRYPOINT ["digitize"]
CMD ["--help"]
