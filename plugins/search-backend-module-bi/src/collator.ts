import { AuthService } from '@backstage/backend-plugin-api';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import { listDashboards } from '@portal/plugin-bi-node';
import { Readable } from 'node:stream';

/** A dashboard as the search index holds it. */
export interface DashboardDocument extends IndexableDocument {
  tool: string;
  entityRef: string;
  owner?: string;
}

/**
 * Makes the dashboards declared on catalog entities searchable. Each
 * document is authorised as its entity: people find only the dashboards of
 * entities they may read.
 */
export class DashboardCollatorFactory implements DocumentCollatorFactory {
  readonly type = 'bi-dashboard';
  readonly visibilityPermission = catalogEntityReadPermission;

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async getCollator(): Promise<Readable> {
    const entries = await listDashboards(
      this.catalog,
      await this.auth.getOwnServiceCredentials(),
    );
    const documents: DashboardDocument[] = entries.map(entry => ({
      title: entry.title,
      text: [
        `${entry.tool} dashboard of ${entry.entityTitle}`,
        entry.ownerRef ? `owned by ${entry.ownerRef}` : undefined,
        entry.systemRef ? `system ${entry.systemRef}` : undefined,
        entry.domainRef ? `domain ${entry.domainRef}` : undefined,
      ]
        .filter(Boolean)
        .join(', '),
      location: entry.url,
      tool: entry.tool,
      entityRef: entry.entityRef,
      owner: entry.ownerRef,
      authorization: { resourceRef: entry.entityRef },
    }));
    return Readable.from(documents);
  }
}
