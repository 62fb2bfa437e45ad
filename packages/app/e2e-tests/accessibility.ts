import { expect, Page } from '@playwright/test';
import fs from 'node:fs';

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * Runs axe-core on the page as it is now and fails with every serious or
 * critical violation (WCAG 2 A and AA rules and axe's best practices): the
 * portal's own pages have none. Call it once the page's content is in.
 */
export async function expectAccessible(page: Page, what: string) {
  await page.addScriptTag({ content: AXE });
  const violations: Violation[] = await page.evaluate(async () => {
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  const serious = violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(
      v =>
        `${v.impact} ${v.id} (${v.help}): ${v.nodes
          .slice(0, 3)
          .map(n => n.target.join(' '))
          .join(' | ')}`,
    );
  expect(serious, `accessibility of ${what}`).toEqual([]);
}
