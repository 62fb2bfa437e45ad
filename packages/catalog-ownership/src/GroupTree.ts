import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_CHILD_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** Deeper group trees than this are cut off (and a cycle cannot loop). */
const MAX_DEPTH = 10;
const PAGE = 500;

export interface GroupNode {
  ref: string;
  title: string;
  /** spec.type: organization, department, team, … */
  type?: string;
  parentRef?: string;
  childRefs: string[];
}

/**
 * The whole group tree at one moment, for roll-ups over the organisation
 * (cost or posture by department) where asking the catalog group by group
 * would be slow. Refs are lower case.
 */
export class GroupTree {
  private constructor(private readonly nodes: Map<string, GroupNode>) {}

  /** Reads every group of the catalog. */
  static async load(
    catalog: CatalogService,
    credentials: BackstageCredentials,
  ): Promise<GroupTree> {
    const groups: Entity[] = [];
    let cursor: string | undefined;
    do {
      const page = await catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE }
          : {
              filter: { kind: 'group' },
              fields: [
                'kind',
                'metadata.name',
                'metadata.namespace',
                'metadata.title',
                'spec.type',
                'spec.profile.displayName',
                'relations',
              ],
              limit: PAGE,
            },
        { credentials },
      );
      groups.push(...page.items);
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return GroupTree.fromEntities(groups);
  }

  /** Builds the tree from Group entities (their childOf relations). */
  static fromEntities(groups: Entity[]): GroupTree {
    const nodes = new Map<string, GroupNode>();
    for (const group of groups) {
      const ref = stringifyEntityRef(group).toLowerCase();
      const spec = (group.spec ?? {}) as {
        type?: string;
        profile?: { displayName?: string };
      };
      nodes.set(ref, {
        ref,
        title:
          spec.profile?.displayName ??
          group.metadata.title ??
          group.metadata.name,
        type: spec.type,
        parentRef: group.relations
          ?.find(r => r.type === RELATION_CHILD_OF)
          ?.targetRef.toLowerCase(),
        childRefs: [],
      });
    }
    for (const node of nodes.values()) {
      if (node.parentRef && nodes.has(node.parentRef)) {
        nodes.get(node.parentRef)!.childRefs.push(node.ref);
      } else {
        node.parentRef = undefined;
      }
    }
    return new GroupTree(nodes);
  }

  get(ref: string): GroupNode | undefined {
    return this.nodes.get(ref.toLowerCase());
  }

  /** Groups without a parent. */
  roots(): GroupNode[] {
    return [...this.nodes.values()].filter(n => !n.parentRef);
  }

  /** The group and every group below it. */
  withDescendants(ref: string): string[] {
    const start = ref.toLowerCase();
    if (!this.nodes.has(start)) return [start];
    const out = [start];
    let frontier = [start];
    for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
      frontier = frontier
        .flatMap(r => this.nodes.get(r)?.childRefs ?? [])
        .filter(r => !out.includes(r));
      out.push(...frontier);
    }
    return out;
  }

  /** The groups above, nearest first. */
  ancestorsOf(ref: string): string[] {
    const out: string[] = [];
    let parent = this.nodes.get(ref.toLowerCase())?.parentRef;
    while (parent && !out.includes(parent) && out.length < MAX_DEPTH) {
      out.push(parent);
      parent = this.nodes.get(parent)?.parentRef;
    }
    return out;
  }

  /**
   * The department a group belongs to: the nearest group of type
   * `department` at or above it, else the one just below a root.
   */
  departmentOf(ref: string): string | undefined {
    const lower = ref.toLowerCase();
    if (!this.nodes.has(lower)) return undefined;
    const chain = [lower, ...this.ancestorsOf(lower)];
    const typed = chain.find(r => this.nodes.get(r)?.type === 'department');
    if (typed) return typed;
    return chain.length >= 2 ? chain[chain.length - 2] : chain[0];
  }
}
