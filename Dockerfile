# syntax=docker/dockerfile:1
# ncesync in a container: the nightly job anywhere a container runs (docs/operations.md).
#
#   docker build -t ncesync:0.1.0 .
#   docker run --rm -v "$PWD:/deployment" --user "$(id -u):$(id -g)" ncesync:0.1.0 plan
#
# Slim and non-root; every Python package comes from docker/requirements.lock, pinned by
# version AND hash (pip --require-hashes refuses anything else), built with the locked
# setuptools of docker/build-requirements.lock. Pin the base image by digest in your own
# registry's copy (python:3.11-slim-bookworm@sha256:...) for a fully reproducible image.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY docker/requirements.lock docker/build-requirements.lock docker/
RUN python -m venv /opt/ncesync \
 && /opt/ncesync/bin/pip install --require-hashes --no-deps -r docker/requirements.lock \
 && python -m venv /opt/build \
 && /opt/build/bin/pip install --require-hashes --no-deps -r docker/build-requirements.lock
COPY pyproject.toml README.md ./
COPY schemas/ schemas/
COPY providers/ providers/
COPY reconciler/ reconciler/
# ncesync itself: built here from the sources (no download), installed without dependencies
# (they are all in the lock), then `pip check` proves the lock satisfies it.
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
 && /opt/ncesync/bin/pip install --no-deps /wheels/ncesync-*.whl \
 && /opt/ncesync/bin/pip check \
 && /opt/ncesync/bin/ncesync --version

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="ncesync" \
      org.opencontainers.image.description="NCE seats as code: Dicker Data licence counts into ConnectWise Manage and Autotask"
ENV PATH=/opt/ncesync/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /opt/ncesync /opt/ncesync
# uid/gid 10001: not root, and numeric so Kubernetes' runAsNonRoot can check it. The
# deployment folder is group 0 and group-writable for platforms that run an arbitrary uid.
RUN groupadd --system --gid 10001 ncesync \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /deployment --shell /usr/sbin/nologin ncesync \
 && mkdir /deployment \
 && chown 10001:0 /deployment \
 && chmod 0775 /deployment
WORKDIR /deployment
USER 10001:10001
ENTRYPOINT ["ncesync"]
CMD ["--help"]
