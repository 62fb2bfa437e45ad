/**
 * One service of the golden-path fleet: its template and version, and the
 * template's current one (`GET /api/scaffolder/golden-path/fleet`).
 *
 * @public
 */
export interface FleetService {
  entityRef: string;
  title?: string;
  ownerRef?: string;
  template: string;
  version: string;
  /** The template's current version; absent when it is not in the catalog. */
  current?: string;
  behind: boolean;
}

/**
 * A page of the golden-path fleet, with counts over all of it (as
 * filtered).
 *
 * @public
 */
export interface FleetPage {
  /** Each golden-path template and its current version. */
  templates: Array<{ template: string; version: string }>;
  items: FleetService[];
  totalCount: number;
  behindCount: number;
  /** Services per template and version. */
  versions: Array<{
    template: string;
    version: string;
    count: number;
    behind: boolean;
  }>;
  nextCursor?: string;
}
