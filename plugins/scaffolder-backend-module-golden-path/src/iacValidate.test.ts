/*
 * `terraform validate` over what the templates render, as far as this
 * machine allows. The AWS provider cannot be downloaded here, so the
 * modules' resources are not validated; what is: every rendered module call
 * (each type at each size of templates/iac/sizes.yaml) against its module's
 * interface, by Terraform itself. Each call is validated against a copy of
 * its module that keeps the module's variable declarations (their types,
 * defaults and validations) and nothing that needs a provider: an unknown
 * argument, a missing required one or a value of the wrong type fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './__testUtils__/testing';
import { readSizeCatalogue, renderResource, RESOURCE_TYPES } from './iac';

const ROOT = path.resolve(__dirname, '../../..');
const MODULES = path.join(ROOT, 'templates/iac/modules');
const SIZES = path.join(ROOT, 'templates/iac/sizes.yaml');

/** The `variable "x" { … }` blocks of a Terraform file (braces balanced). */
function variableBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (const match of text.matchAll(/^variable\s+"[^"]+"\s*\{/gm)) {
    let depth = 0;
    for (let i = match.index!; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) {
        blocks.push(text.slice(match.index!, i + 1));
        break;
      }
    }
  }
  return blocks;
}

/** A module's interface: its variables, in a module Terraform can load offline. */
async function interfaceOf(type: string, into: string) {
  const dir = path.join(into, type);
  await fs.mkdir(dir, { recursive: true });
  const files = (await fs.readdir(path.join(MODULES, type))).filter(f =>
    f.endsWith('.tf'),
  );
  const variables: string[] = [];
  for (const file of files) {
    variables.push(
      ...variableBlocks(
        await fs.readFile(path.join(MODULES, type, file), 'utf8'),
      ),
    );
  }
  await fs.writeFile(
    path.join(dir, 'variables.tf'),
    `${variables.join('\n\n')}\n`,
  );
  return variables.length;
}

function validate(dir: string) {
  execFileSync(
    'terraform',
    ['init', '-backend=false', '-input=false', '-no-color'],
    {
      cwd: dir,
      encoding: 'utf8',
    },
  );
  return spawnSync('terraform', ['validate', '-no-color', '-json'], {
    cwd: dir,
    encoding: 'utf8',
  });
}

describe('the rendered Terraform, validated by terraform', () => {
  it('calls each module with the arguments its interface declares, at every size', async () => {
    const tmp = await tempDir('iac-validate-');
    try {
      const modules = path.join(tmp.dir, 'modules');
      const catalogue = await readSizeCatalogue(SIZES);
      const root = path.join(tmp.dir, 'service');
      await fs.mkdir(root, { recursive: true });
      let calls = 0;
      for (const type of RESOURCE_TYPES) {
        expect(await interfaceOf(type, modules)).toBeGreaterThan(3);
        for (const size of Object.keys(catalogue.types[type].sizes)) {
          const rendered = renderResource({
            catalogue,
            moduleSource: `${modules}/{type}`,
            costAllocationTag: 'portal-entity-ref',
            entityRef: 'component:default/cart-service',
            owner: 'group:default/team-checkout',
            component: 'cart-service',
            resource: { name: `${type}-${size}`, type, size },
          });
          await fs.writeFile(
            path.join(root, path.basename(rendered.file)),
            rendered.content,
          );
          calls++;
        }
      }
      expect(calls).toBe(12);
      const result = validate(root);
      expect(JSON.parse(result.stdout)).toMatchObject({
        valid: true,
        error_count: 0,
      });

      // And it would say so: an argument the module does not declare.
      await fs.writeFile(
        path.join(root, 'broken.tf'),
        `module "broken" {\n  source        = "${modules}/queue"\n  name          = "x"\n  entity_ref    = "component:default/x"\n  owner         = "group:default/x"\n  cost_allocation_tag = "t"\n  instance_type = "m5.large"\n}\n`,
      );
      const broken = validate(root);
      expect(JSON.parse(broken.stdout)).toMatchObject({ valid: false });
      expect(broken.stdout).toContain('instance_type');
    } finally {
      await tmp.cleanup();
    }
  }, 120_000);

  it('reads variable blocks with nested braces whole', () => {
    expect(
      variableBlocks(
        'variable "a" {\n  type = object({ x = string })\n  validation {\n    condition = true\n    error_message = "no"\n  }\n}\nresource "x" "y" {}\nvariable "b" {}\n',
      ),
    ).toEqual([
      'variable "a" {\n  type = object({ x = string })\n  validation {\n    condition = true\n    error_message = "no"\n  }\n}',
      'variable "b" {}',
    ]);
  });
});
