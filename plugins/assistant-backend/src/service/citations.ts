/*
 * What an answer cites: the catalog entities the tools' outputs named and
 * the answer talks about, as links to their pages. Only entities a tool
 * returned can be cited (a name the model made up is not), and tools only
 * return what the person may see.
 */
import { Citation } from '@portal/plugin-assistant-common';

const ENTITY_REF =
  /^(component|system|domain|resource|api|group|user|template):([a-z0-9][a-z0-9_.-]*)\/([a-z0-9][a-z0-9_.-]*)$/i;

/** Every entity ref among the strings of a tool's output. */
export function entityRefsIn(value: unknown, found = new Set<string>()) {
  if (typeof value === 'string') {
    if (value.length < 300 && ENTITY_REF.test(value)) {
      found.add(value.toLowerCase());
    }
  } else if (Array.isArray(value)) {
    for (const item of value) entityRefsIn(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) entityRefsIn(item, found);
  }
  return found;
}

export function citationOf(entityRef: string): Citation {
  const [, kind, namespace, name] = ENTITY_REF.exec(entityRef)!;
  return {
    entityRef,
    url: `/catalog/${namespace}/${kind.toLowerCase()}/${name}`,
  };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The entities to cite: those of `used` the answer names (by ref or by
 * name), or, when it names none of them, those the tools returned (at most
 * `max`).
 */
export function citationsFor(
  answer: string,
  used: ReadonlySet<string>,
  max = 12,
): Citation[] {
  const text = answer.toLowerCase();
  const named = [...used].filter(ref => {
    const name = ref.slice(ref.indexOf('/') + 1);
    return (
      text.includes(ref) ||
      new RegExp(`(^|[^a-z0-9_.-])${escape(name)}($|[^a-z0-9_-])`).test(text)
    );
  });
  return (named.length ? named : [...used]).slice(0, max).map(citationOf);
}
