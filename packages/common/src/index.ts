/**
 * Types shared by every portal plugin family, isomorphic (browser and
 * backend). Plugin-specific types live in each family's `-common` package.
 *
 * @packageDocumentation
 */

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
