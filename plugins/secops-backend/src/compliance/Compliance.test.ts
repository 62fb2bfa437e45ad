import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ExemptionStore,
  FindingStore,
  GateDecisionStore,
} from '../database/types';
import { builtInChecks } from '../scorecards/builtInChecks';
import { DastExposureService } from '../service/DastExposure';
import { SecopsOptions } from '../service/options';
import { builtInFrameworkFiles, csvCell, readFramework } from './Compliance';

/**
 * The checks every installation has: the built-in ones without clusters
 * (modules' checks and the admission labels check may be missing, so the
 * shipped frameworks must not name them).
 */
const CHECKS = new Set(
  builtInChecks({
    findings: {} as FindingStore,
    exemptions: {} as ExemptionStore,
    gateDecisions: {} as GateDecisionStore,
    exposure: {} as DastExposureService,
    gates: async () => [],
    options: {} as SecopsOptions,
  }).map(check => check.id),
);

function file(text: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'framework-'));
  const p = path.join(dir, 'mine.yaml');
  fs.writeFileSync(p, text);
  return p;
}

describe('compliance frameworks', () => {
  it('ships SOC 2 and HITRUST CSF, every control mapped to checks that exist', () => {
    const frameworks = builtInFrameworkFiles().map(f =>
      readFramework(f, CHECKS),
    );
    expect(frameworks.map(f => f.id)).toEqual(['hitrust', 'soc2']);
    const soc2 = frameworks.find(f => f.id === 'soc2')!;
    expect(soc2.controls.map(c => c.id)).toEqual(
      expect.arrayContaining(['CC6.1', 'CC6.8', 'CC7.1', 'CC7.2', 'CC8.1']),
    );
    expect(soc2.controls.find(c => c.id === 'CC7.4')?.checks).toContain(
      'exemptions-current',
    );
  });

  it.each([
    ['no controls', 'id: mine\ntitle: Mine\n', /a framework has an id/],
    [
      'an unknown check',
      'id: mine\ntitle: Mine\ncontrols:\n  - id: A.1\n    title: One\n    checks: [has-runbook]\n',
      /controls\[0\]: there is no scorecard check 'has-runbook'/,
    ],
    [
      'a control twice',
      'id: mine\ntitle: Mine\ncontrols:\n  - {id: A.1, title: One, checks: [scans-fresh]}\n  - {id: A.1, title: Two, checks: [scans-fresh]}\n',
      /control A.1 twice/,
    ],
    [
      'a control without checks',
      'id: mine\ntitle: Mine\ncontrols:\n  - {id: A.1, title: One, checks: []}\n',
      /checks must list at least one/,
    ],
    [
      'a bad id',
      'id: Mine Framework\ntitle: Mine\ncontrols: []\n',
      /id 'Mine Framework' must be lower case/,
    ],
  ])('refuses a framework with %s, saying where', (_what, text, message) => {
    expect(() => readFramework(file(text), CHECKS)).toThrow(message);
  });

  it('keeps CSV cells whole and never a formula', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, "b"')).toBe('"a, ""b"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(
      `"'=HYPERLINK(""http://x"")"`,
    );
    expect(csvCell('-1+2')).toBe("'-1+2");
  });
});
