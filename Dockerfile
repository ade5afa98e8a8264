# The kingress controller image: `docker build -t kingress/controller:dev .`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY . .
RUN pip install . && rm -rf /src \
    && useradd --uid 65532 --no-create-home --shell /usr/sbin/nologin kingress

WORKDIR /
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["kingress"]
CMD ["controller"]
