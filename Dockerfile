# One image for the worker and the web app (docker-compose.yml picks the command).
FROM node:24-bookworm-slim
WORKDIR /app
# better-sqlite3 compiles when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run web:build
ENV NODE_ENV=production
CMD ["npm", "run", "worker"]
