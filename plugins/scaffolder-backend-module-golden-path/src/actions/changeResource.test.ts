/*
 * Resizing and removing a declared resource: infra/resources.yaml and the
 * rendered Terraform change together, with the monthly estimate before and
 * after; what is not declared, declared otherwise, or not a change is
 * refused with what is wrong, and nothing is written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { runAction, tempDir } from '../__testUtils__/testing';
import { readSizeCatalogue } from '../iac';
import { createAddResourceAction } from './addResource';
import { createChangeResourceAction } from './changeResource';

const SIZES = path.resolve(__dirname, '../../../../templates/iac/sizes.yaml');
const options = {
  sizes: () => readSizeCatalogue(SIZES),
  moduleSource: 'git::https://example.com/iac.git//modules/{type}?ref=v1',
  costAllocationTag: 'portal-entity-ref',
};
const owning = {
  entityRef: 'component:default/cart-service',
  owner: 'group:default/team-checkout',
};

async function workspaceWithDatabase() {
  const { dir } = await tempDir();
  await runAction(
    createAddResourceAction(options),
    { name: 'orders-db', type: 'database', size: 'small', ...owning },
    { workspacePath: dir },
  );
  await runAction(
    createAddResourceAction(options),
    { name: 'events', type: 'queue', size: 'small', ...owning },
    { workspacePath: dir },
  );
  return dir;
}

const read = (dir: string, file: string) =>
  fs.readFile(path.join(dir, file), 'utf8');

describe('golden-path:resource:change', () => {
  const change = createChangeResourceAction(options);

  it('resizes the declaration and its Terraform together, with the cost before and after', async () => {
    const dir = await workspaceWithDatabase();
    const smallTf = await read(dir, 'infra/orders-db.tf');
    const out = await runAction(
      change,
      {
        name: 'orders-db',
        type: 'database',
        change: 'resize',
        size: 'medium',
        ...owning,
      },
      { workspacePath: dir },
    );
    expect(out).toEqual({
      file: 'infra/orders-db.tf',
      before: 'small, about $14.00 a month',
      after: 'medium, about $59.00 a month',
      beforeMonthlyUsd: 14,
      afterMonthlyUsd: 59,
      summary:
        'Resize database orders-db from small, about $14.00 a month to medium, about $59.00 a month',
    });
    const declared = parse(await read(dir, 'infra/resources.yaml'));
    expect(declared.resources).toEqual([
      { name: 'orders-db', type: 'database', size: 'medium' },
      { name: 'events', type: 'queue', size: 'small' },
    ]);
    const mediumTf = await read(dir, 'infra/orders-db.tf');
    expect(mediumTf).not.toEqual(smallTf);
    expect(mediumTf).toContain('db.t4g.medium');
    expect(smallTf).toContain('db.t4g.micro');
  });

  it('removes the declaration and deletes its Terraform', async () => {
    const dir = await workspaceWithDatabase();
    const out = await runAction(
      change,
      { name: 'events', type: 'queue', change: 'remove', ...owning },
      { workspacePath: dir },
    );
    expect(out).toMatchObject({
      before: 'small, about $0.40 a month',
      after: 'nothing',
      afterMonthlyUsd: 0,
      summary:
        'Remove queue events (small, about $0.40 a month): applying it destroys the resource and its data',
    });
    expect(parse(await read(dir, 'infra/resources.yaml')).resources).toEqual([
      { name: 'orders-db', type: 'database', size: 'small' },
    ]);
    await expect(read(dir, 'infra/events.tf')).rejects.toThrow(/ENOENT/);
    expect(await read(dir, 'infra/orders-db.tf')).toContain('db.t4g.micro');
  });

  it.each([
    [
      {
        name: 'payments-db',
        type: 'database',
        change: 'resize',
        size: 'large',
      },
      'infra/resources.yaml declares no resource "payments-db" (it declares orders-db, events)',
    ],
    [
      { name: 'orders-db', type: 'cache', change: 'resize', size: 'large' },
      '"orders-db" is a database in infra/resources.yaml, not a cache',
    ],
    [
      { name: 'orders-db', type: 'database', change: 'resize', size: 'small' },
      '"orders-db" is already small',
    ],
    [
      { name: 'orders-db', type: 'database', change: 'resize' },
      'give the new size to resize a resource',
    ],
    [
      { name: 'orders-db', type: 'database', change: 'resize', size: 'huge' },
      /huge/,
    ],
  ])('refuses %j and writes nothing', async (input, message) => {
    const dir = await workspaceWithDatabase();
    const declarations = await read(dir, 'infra/resources.yaml');
    const tf = await read(dir, 'infra/orders-db.tf');
    await expect(
      runAction(change, { ...input, ...owning }, { workspacePath: dir }),
    ).rejects.toThrow(message);
    expect(await read(dir, 'infra/resources.yaml')).toBe(declarations);
    expect(await read(dir, 'infra/orders-db.tf')).toBe(tf);
  });

  it('says there is nothing to change in a repository without declarations', async () => {
    const { dir } = await tempDir();
    await expect(
      runAction(
        change,
        { name: 'orders-db', type: 'database', change: 'remove', ...owning },
        { workspacePath: dir },
      ),
    ).rejects.toThrow(
      'infra/resources.yaml declares no resource "orders-db" (it declares none)',
    );
  });
});
