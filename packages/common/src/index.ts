/**
 * Types shared by every portal plugin family, isomorphic (browser and
 * backend), and the helpers every family's frontend client uses around its
 * generated client. Plugin-specific types live in each family's `-common`
 * package.
 *
 * @packageDocumentation
 */

export { bodyOf, entityPath, groupPath, okResponse } from './client';
export type { TypedResponse } from './client';
export { RefreshingValue } from './RefreshingValue';
export type {
  AdoptionCounts,
  AdoptionSummary,
  FleetPage,
  FleetService,
  RepositoryState,
} from './goldenPath';

/**
 * One page of a server-paginated list: the items of this page, how many
 * there are in all, and the opaque cursor of the next page (absent on the
 * last one).
 *
 * @public
 */
export interface Page<T> {
  items: T[];
  totalCount: number;
  nextCursor?: string;
}
