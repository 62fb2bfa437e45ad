# The portal's production image, built the way Backstage documents it: from
# the workspace's own build output, made on the host first:
#
#   ./portal yarn build:all          # packages/backend/dist/{skeleton,bundle}.tar.gz
#   docker build -t acme-developer-portal .
#
# Stage 1 installs the production dependencies (with the compilers that native
# modules need); stage 2 holds only what runs, as the non-root user `node`
# (uid 1000, which deploy/portal's securityContext names).
#
# Build arguments:
#   BASE_IMAGE    a Debian bookworm image with Node.js 22 on PATH and a user
#                 `node` (uid 1000). The public node:22-bookworm-slim by
#                 default; the image test builds from a base it makes itself
#                 (scripts/lib/image.mjs), where no registry can be pulled from.
#   NPM_REGISTRY  the npm registry yarn installs from, when not the public one.
#
# Plain Dockerfile instructions only: it builds with BuildKit and with the
# classic builder alike.
ARG BASE_IMAGE=node:22-bookworm-slim

FROM ${BASE_IMAGE} AS deps

RUN apt-get update && \
    apt-get install -y --no-install-recommends python3 g++ make && \
    rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY .yarn ./.yarn
COPY .yarnrc.yml backstage.json yarn.lock package.json ./
COPY packages/backend/dist/skeleton.tar.gz ./
RUN tar xzf skeleton.tar.gz && rm skeleton.tar.gz

# yarn is the release .yarnrc.yml pins, run with the image's own Node.js.
ARG NPM_REGISTRY=
RUN if [ -n "$NPM_REGISTRY" ]; then export YARN_NPM_REGISTRY_SERVER="$NPM_REGISTRY"; fi && \
    yarn="node $(sed -n 's/^yarnPath: *//p' .yarnrc.yml)" && \
    $yarn workspaces focus --all --production && \
    rm -rf "$($yarn config get cacheFolder)" /root/.yarn /tmp/*

FROM ${BASE_IMAGE}

# MkDocs builds TechDocs sites in the container (techdocs.generator.runIn: local);
# tini reaps processes and forwards signals.
RUN apt-get update && \
    apt-get install -y --no-install-recommends \
      mkdocs mkdocs-material python3-pygments tini && \
    rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN mkdir -p /app/data && chown node:node /app /app/data
USER node
ENV NODE_ENV=production
# Fewer glibc malloc arenas for Node's threads: less native memory held.
ENV MALLOC_ARENA_MAX=2

COPY --from=deps --chown=node:node /app ./
COPY --chown=node:node packages/backend/dist/bundle.tar.gz ./
RUN tar xzf bundle.tar.gz && rm bundle.tar.gz
COPY --chown=node:node app-config.yaml app-config.production.yaml catalog-info.yaml ./
COPY --chown=node:node docs ./docs
COPY --chown=node:node templates/golden-path ./templates/golden-path
COPY --chown=node:node templates/iac ./templates/iac

EXPOSE 7007
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "packages/backend", "--config", "app-config.yaml", "--config", "app-config.production.yaml"]
