import { Config } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { ObservabilityLink } from '@portal/plugin-sre-common';

/** Per-entity links that win over the configured URL templates. */
export const LINK_ANNOTATIONS: Record<ObservabilityLink['kind'], string> = {
  dashboards: 'acme.example/dashboard-url',
  logs: 'acme.example/logs-url',
  traces: 'acme.example/traces-url',
};

export interface LinkTemplate {
  kind: ObservabilityLink['kind'];
  title: string;
  url: string;
}

export function readLinkTemplates(config?: Config): LinkTemplate[] {
  return (config?.getOptionalConfigArray('observability') ?? []).map(c => {
    const kind = c.getString('kind');
    if (!(kind in LINK_ANNOTATIONS)) {
      throw new Error(
        `sre.observability: kind must be dashboards, logs or traces, not ${kind}`,
      );
    }
    return {
      kind: kind as LinkTemplate['kind'],
      title: c.getString('title'),
      url: c.getString('url'),
    };
  });
}

const isHttp = (url: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
};

/**
 * The entity's dashboards, logs and traces: its own annotations first, then
 * the configured templates with {{name}}, {{namespace}}, {{kubernetes-id}}
 * and {{kubernetes-namespace}} filled in (URL-encoded). Only http(s) links.
 */
export function observabilityLinks(
  entity: Entity,
  templates: LinkTemplate[],
): ObservabilityLink[] {
  const annotations = entity.metadata.annotations ?? {};
  const values: Record<string, string> = {
    name: entity.metadata.name,
    namespace: entity.metadata.namespace ?? 'default',
    'kubernetes-id':
      annotations['backstage.io/kubernetes-id'] ?? entity.metadata.name,
    'kubernetes-namespace':
      annotations['backstage.io/kubernetes-namespace'] ?? '',
  };
  const links: ObservabilityLink[] = [];
  for (const [kind, annotation] of Object.entries(LINK_ANNOTATIONS)) {
    const url = annotations[annotation];
    if (url && isHttp(url)) {
      links.push({
        kind: kind as ObservabilityLink['kind'],
        title: 'Linked by the team',
        url,
        source: 'annotation',
      });
    }
  }
  for (const t of templates) {
    if (links.some(l => l.kind === t.kind && l.source === 'annotation'))
      continue;
    const url = t.url.replace(/\{\{\s*([a-z-]+)\s*\}\}/g, (m, key) =>
      key in values ? encodeURIComponent(values[key]) : m,
    );
    if (isHttp(url))
      links.push({ kind: t.kind, title: t.title, url, source: 'config' });
  }
  return links;
}
