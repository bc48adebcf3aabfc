# paycall's worker and web processes (one image, two commands; see docker-compose.yml).
# Debian slim, not Alpine: Temporal's native core bridge needs glibc. Node 22 LTS.
FROM node:22.23.3-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Product code only: .dockerignore keeps out the local stand-ins (src/stand-ins/), tests and data.
COPY tsconfig.json ./
COPY src ./src
# The workflow bundle, built once here: a worker polls within a second of start.
RUN npm run build

USER node
# DATA_DIR must be writable by the node user (docker-compose mounts a volume there).
ENV DATA_DIR=/data
# Inside the container the web server must listen on all interfaces for the port mapping.
ENV HOST=0.0.0.0
EXPOSE 3000
# node itself is PID 1 (signals reach paycall, which drains on SIGTERM); tsx loads the TypeScript.
CMD ["node", "--import", "tsx", "src/web/main.ts"]
