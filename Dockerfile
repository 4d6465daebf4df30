# gridsync: Node 24 runs the TypeScript sources directly (type stripping), so the image has no build stage.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY mappings ./mappings
# The embedded store lives in /app/data; mount a volume there (or set GRIDSYNC_DATABASE_URL to PostgreSQL).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "src/cli.ts", "serve"]
