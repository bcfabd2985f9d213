# The service (`cco serve`) in a container: the API, the approval grid, the report site and the
# schedules. Not built on the machine this was written on (no Docker there): test/service/docker.test.ts
# checks that what it copies and runs exists. Build: docker build -t cco .
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    CCO_DATA_DIR=/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Dependencies first (cached while only sources change). tsx and esbuild are runtime dependencies:
# bin/cco.js compiles the sources to dist/ with esbuild; the report's data loaders run through tsx.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY --chown=node:node . .
# Compile once here, so the container starts without compiling; the data directory is the volume.
RUN node bin/compile.js --force \
    && mkdir -p /data \
    && chown -R node:node /data /app/dist

USER node
VOLUME ["/data"]
EXPOSE 8787

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8787/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM (docker stop) lets the current pipeline step and executor run finish: give it time
# (compose.yaml: stop_grace_period).
ENTRYPOINT ["node", "bin/cco.js"]
CMD ["serve", "--host", "0.0.0.0"]
