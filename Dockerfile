# One image for every Kanon service; the command picks the stage (collector, workers, dashboards, migrate).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm run build:tracker && npm run build:dashboards \
 && mkdir -p dist/schema dist/tracker dist/demo \
 && cp -r schema/sql dist/schema/sql \
 && cp -r tracker/dist dist/tracker/dist \
 && mkdir -p dist/dashboards/web && cp -r dashboards/web/dist dist/dashboards/web/dist \
 && cp -r demo/shop dist/demo/shop \
 && npm prune --omit=dev \
 # Server mode never loads the embedded engine (it is imported lazily); drop its ~550 MB.
 && rm -rf node_modules/chdb node_modules/@chdb

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production KANON_HOST=0.0.0.0
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
ENTRYPOINT ["node", "dist/bin/kanon.js"]
CMD ["collector"]
