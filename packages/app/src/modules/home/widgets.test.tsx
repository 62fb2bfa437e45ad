import { screen } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { MyServicesWidget, TemplatesWidget } from './widgets';

const user = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'ben-okafor', namespace: 'default' },
  spec: {},
  relations: [{ type: 'memberOf', targetRef: 'group:default/team-checkout' }],
};
const payments = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-checkout' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-checkout' }],
};
const other = {
  ...payments,
  metadata: { name: 'search-service', namespace: 'default' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-catalog' }],
};
const template = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name: 'node-service',
    namespace: 'default',
    title: 'Node.js service',
    description: 'A service with CI, IaC and cost tags',
  },
  spec: {},
};

const identity = mockApis.identity({
  userEntityRef: 'user:default/ben-okafor',
  ownershipEntityRefs: [
    'user:default/ben-okafor',
    'group:default/team-checkout',
  ],
});

function apis() {
  return [
    [identityApiRef, identity],
    [
      catalogApiRef,
      catalogApiMock({ entities: [user, payments, other, template] }),
    ],
  ] as any;
}

describe('home widgets', () => {
  it('lists what the person’s teams own, and nothing else', async () => {
    await renderInTestApp(<MyServicesWidget />, { apis: apis() });
    expect(
      await screen.findByText('payments-api', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('component · service · production'),
    ).toBeInTheDocument();
    expect(screen.queryByText('search-service')).not.toBeInTheDocument();
  });

  it('lists the templates', async () => {
    await renderInTestApp(<TemplatesWidget />, { apis: apis() });
    expect(
      await screen.findByText('Node.js service', undefined, { timeout: 5000 }),
    ).toHaveAttribute('href', '/create/templates/default/node-service');
  });
});
