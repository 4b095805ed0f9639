# One image for both production processes, running compiled JavaScript (not tsx):
# `node dist/src/api/server.js` and `node dist/src/worker.js` (the worker bundles the compiled
# workflows from dist/src/workflows at start). The worker needs its heap cap in NODE_OPTIONS, as
# docker-compose.yml sets it (WORKER_MAX_OLD_SPACE_MB, src/runtime/worker-heap.ts; README, Runbook).
# `node dist/src/with-worker-heap.js dist/src/worker.js` applies it from WORKER_MAX_OLD_SPACE_MB
# instead, at the price of a launcher process.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npx tsc -p tsconfig.build.json
# the operator console (static files served at /console), built with vite from devDependencies
COPY console ./console
RUN npm run build:console

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/dist ./console/dist
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "dist/src/api/server.js"]
