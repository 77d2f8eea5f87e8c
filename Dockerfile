# The Switchboard application image: one image, three roles chosen by the
# command (docker-compose.yml): `npm run gateway`, `npm run worker`,
# `npm run commerce`. TypeScript runs through tsx, so there is no build step;
# the worker bundles the workflow code at start-up.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Dependencies first, so code changes do not reinstall them. The Temporal
# worker's native core ships as a prebuilt glibc binary inside the package.
# The image talks to the compose stack's Temporal: npm's postinstall must not
# fetch Temporal's own binaries into it.
ENV SWITCHBOARD_SKIP_TEMPORAL_INSTALL=1
COPY package.json package-lock.json ./
COPY scripts/temporal-install.sh scripts/temporal-requirements.txt ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json worker.ts ./
COPY src ./src
COPY config ./config
COPY public ./public
# The local intent model the NLU loads at start, with the licence of the data it was trained on.
COPY data/nlu/model.json ./data/nlu/model.json
COPY data/bitext/LICENSE.txt ./data/bitext/LICENSE.txt

USER node
EXPOSE 3000 4100
CMD ["npm", "run", "gateway"]
