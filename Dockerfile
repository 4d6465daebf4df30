# gridsync: production dependencies only, runs as the unprivileged `node` user, stores in the /app/data volume.
# No tenant mappings or secrets are baked in: mount your mappings/ at /app/mappings and pass secrets through
# the environment (or files under /run/secrets named by the mappings). See README.md, "Run in containers".
FROM node:24-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no production dependency needs an install script, and none may run one.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    GRIDSYNC_DATABASE_URL=/app/data/gridsync.db \
    GRIDSYNC_MAPPINGS_DIR=/app/mappings
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
RUN mkdir -p /app/data /app/mappings && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
# /healthz answers while the process serves; Node's own fetch, since the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT ?? 8080}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--max-semi-space-size=16", "--max-old-space-size=1024", "src/cli.ts"]
CMD ["serve"]
