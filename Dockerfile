# One image for the four services; LOYALTEA_SERVICES picks what a container runs.
# Dependencies are installed from package-lock.json (npm ci) so images match CI exactly.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM oven/bun:1.4-slim
WORKDIR /app
ENV NODE_ENV=production LOG_FORMAT=json HTTP_HOST=0.0.0.0
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json bunfig.toml ./
COPY src ./src
COPY db ./db
USER bun
EXPOSE 9000 9001 9002 9003 9004
CMD ["bun", "src/main.ts"]
