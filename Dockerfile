# Sign-in Help as one container: docs/deployment.md says how to run it and what it needs around it.
#
#   docker build -t sign-in-help .
#   docker run --env-file sign-in-help.env -p 3978:3978 -v sign-in-help-data:/data --stop-timeout 15 sign-in-help
#
# No setting or secret is baked in: they all come from the environment when the container starts.

# Node 20 LTS, the release the bot is built and tested on (package.json "engines"); the major is pinned,
# patch releases come with each rebuild.
ARG NODE_IMAGE=node:20-bookworm-slim

# better-sqlite3 compiles from source when no prebuilt binary can be downloaded, which needs these.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc says yes=true: botbuilder-dialogs' postinstall runs npx, which npm cancels without a terminal.
COPY package.json package-lock.json .npmrc ./

# The compiled bot: every dependency, then `npm run build` (tsc -p tsconfig.build.json) into dist/.
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# The dependencies `npm start` needs, and nothing from devDependencies.
FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund

# What runs: no compilers, no TypeScript, no tests. The files belong to root, so the bot cannot change its own
# code; it writes only to /data.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3978 \
    SQLITE_PATH=/data/sign-in-help.sqlite
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json marks dist/ as ES modules and is how the bot finds its files; the lock file lets image scanners
# see the exact versions inside.
COPY package.json package-lock.json ./
# Read at run time: the card templates, the diagnosis knowledge, and the demo tenant (local mode only).
COPY cards ./cards
COPY content ./content
COPY demo ./demo
RUN mkdir -p /data && chown node:node /data
USER node
# The SQLite database (and its -wal and -shm files) lives here. Mount a volume on a local disk: never a network
# file share (Azure Files, SMB, NFS), where SQLite's locking and write-ahead log do not work.
VOLUME ["/data"]
EXPOSE 3978
# Healthy while the bot can serve (GET /readyz); node's fetch, so the image needs no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start` runs, without npm in between, so that SIGTERM reaches the bot and it shuts down cleanly.
CMD ["node", "--enable-source-maps", "--disable-warning=DEP0111", "dist/src/index.js"]
