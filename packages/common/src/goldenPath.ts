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

/**
 * Where a repository stands on the golden path (the Adoption page;
 * `GET /api/scaffolder/golden-path/repositories`).
 *
 * @public
 */
export interface RepositoryState {
  /** The local repository's name, or owner/name on GitHub. */
  name: string;
  target: 'local' | 'github';
  url?: string;
  inCatalog: boolean;
  entityRefs: string[];
  ownerRef?: string;
  pipeline: 'golden-path' | 'custom' | 'none';
  goldenPathVersion?: string;
  workflows: string[];
}

/**
 * Repositories counted by where they stand.
 *
 * @public
 */
export interface AdoptionCounts {
  repositories: number;
  inCatalog: number;
  goldenPath: number;
  customPipeline: number;
  noPipeline: number;
  ownerUnknown: number;
}

/**
 * The adoption map's figures (`GET /api/scaffolder/golden-path/adoption`):
 * the counts now, a point a day, and the jobs several repositories
 * duplicate.
 *
 * @public
 */
export interface AdoptionSummary {
  scannedAt: string;
  counts: AdoptionCounts;
  trend: Array<{ day: string } & AdoptionCounts>;
  duplicates: Array<{
    steps: string[];
    similarity: number;
    jobs: Array<{ repository: string; workflow: string; job: string }>;
  }>;
}
