# paycall's worker and web processes (one image, two commands; see docker-compose.yml).
# Debian slim, not Alpine: Temporal's native core bridge needs glibc.
FROM node:20.20.2-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY tsconfig.json ./
COPY src ./src
COPY data ./data

USER node
# DATA_DIR must be writable by the node user (docker-compose mounts a volume there).
ENV DATA_DIR=/data
# Inside the container the web server must listen on all interfaces for the port mapping.
ENV HOST=0.0.0.0
EXPOSE 3000
CMD ["npx", "tsx", "src/web/main.ts"]
