import {
  Entity,
  RELATION_CHILD_OF,
  RELATION_HAS_MEMBER,
  RELATION_PARENT_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/** Deeper group trees than this are cut off (and a cycle cannot loop). */
const MAX_DEPTH = 10;

/** The fields of a Group that the tree is built from. */
export const GROUP_TREE_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'spec.type',
  'spec.profile.displayName',
  'relations',
];

export interface GroupNode {
  ref: string;
  title: string;
  /** spec.type: organization, department, team, … */
  type?: string;
  /** The group's parent (spec.parent), when it is in the catalog. */
  parentRef?: string;
  /**
   * Every group above this one by one step: the parent, and any group that
   * names this one in its spec.children.
   */
  parentRefs: string[];
  childRefs: string[];
}

/**
 * The whole group tree at one moment, built from the catalog's Group
 * entities. Both relation directions count: a group is below another when
 * it names it as spec.parent (childOf) or when the other names it in
 * spec.children (parentOf). Refs are lower case. The ownership service
 * (OwnershipService) keeps one per plugin and answers every walk from it.
 */
export class GroupTree {
  private constructor(
    private readonly nodes: Map<string, GroupNode>,
    /** Each member's groups (hasMember relations), lower case. */
    private readonly members: Map<string, string[]> = new Map(),
  ) {}

  /** Builds the tree from Group entities (their childOf/parentOf relations). */
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
        parentRefs: [],
        childRefs: [],
      });
    }
    const link = (parent: string, child: string) => {
      const up = nodes.get(child);
      const down = nodes.get(parent);
      if (!up || !down || parent === child) return;
      if (!up.parentRefs.includes(parent)) up.parentRefs.push(parent);
      if (!down.childRefs.includes(child)) down.childRefs.push(child);
    };
    const members = new Map<string, string[]>();
    for (const group of groups) {
      const ref = stringifyEntityRef(group).toLowerCase();
      for (const relation of group.relations ?? []) {
        const target = relation.targetRef.toLowerCase();
        if (relation.type === RELATION_CHILD_OF) link(target, ref);
        if (relation.type === RELATION_PARENT_OF) link(ref, target);
        if (relation.type === RELATION_HAS_MEMBER) {
          const of = members.get(target) ?? [];
          if (!of.includes(ref)) of.push(ref);
          members.set(target, of);
        }
      }
    }
    for (const node of nodes.values()) {
      if (node.parentRef && !nodes.has(node.parentRef)) {
        node.parentRef = undefined;
      }
      node.parentRef ??= node.parentRefs[0];
    }
    return new GroupTree(nodes, members);
  }

  /**
   * The groups that name this user (or group) among their members, lower
   * case, in the catalog's order; none when no group does.
   */
  groupsWithMember(memberRef: string): string[] {
    return [...(this.members.get(memberRef.toLowerCase()) ?? [])];
  }

  get(ref: string): GroupNode | undefined {
    return this.nodes.get(ref.toLowerCase());
  }

  /** How many groups the tree holds. */
  get size(): number {
    return this.nodes.size;
  }

  /** Every group, in the order the catalog gave them. */
  all(): GroupNode[] {
    return [...this.nodes.values()];
  }

  /** Groups without a parent. */
  roots(): GroupNode[] {
    return [...this.nodes.values()].filter(n => n.parentRefs.length === 0);
  }

  /** The group and every group below it. */
  withDescendants(ref: string): string[] {
    return this.walk([ref], node => node.childRefs);
  }

  /** The groups and every group below any of them, each once. */
  withDescendantsOfAll(refs: string[]): string[] {
    return this.walk(refs, node => node.childRefs);
  }

  /** The groups and every group above any of them, each once. */
  withAncestorsOfAll(refs: string[]): string[] {
    return this.walk(refs, node => node.parentRefs);
  }

  /** The groups above, nearest first, following spec.parent. */
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

  /**
   * Breadth-first from the given refs (kept as given when the tree does
   * not know them), each ref once, at most MAX_DEPTH steps.
   */
  private walk(refs: string[], next: (node: GroupNode) => string[]): string[] {
    const seen = new Set(refs.map(ref => ref.toLowerCase()));
    let frontier = [...seen];
    for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
      const found: string[] = [];
      for (const ref of frontier) {
        const node = this.nodes.get(ref);
        for (const other of node ? next(node) : []) {
          if (!seen.has(other)) {
            seen.add(other);
            found.push(other);
          }
        }
      }
      frontier = found;
    }
    return [...seen];
  }
}
