import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { goldenPathCheck } from './scorecardCheck';

const template = (name: string, version: string) => ({
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'acme.example/template-version': version },
  },
  spec: {},
});

const service = (name: string, annotations: Record<string, string>) => ({
  ref: `component:default/${name}`,
  entity: {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'group:default/team-a' },
  },
});

describe('the golden path scorecard check', () => {
  it('passes services on the current version of their template, and says what the others miss', async () => {
    const check = goldenPathCheck({
      catalog: catalogServiceMock({
        entities: [template('new-service', '1.10.0')],
      }),
      auth: mockServices.auth(),
    });
    const outcomes = await check.evaluate(
      [
        service('current', {
          'acme.example/template': 'new-service',
          'acme.example/template-version': '1.10.0',
        }),
        service('behind', {
          'acme.example/template': 'new-service',
          'acme.example/template-version': '1.9.2',
        }),
        service('hand-made', {}),
        service('gone', {
          'acme.example/template': 'retired-template',
          'acme.example/template-version': '0.1.0',
        }),
      ],
      { now: new Date('2026-12-07T00:00:00Z') },
    );
    expect(Object.fromEntries(outcomes)).toEqual({
      'component:default/current': {
        passed: true,
        detail: 'new-service 1.10.0, the current version',
      },
      'component:default/behind': {
        passed: false,
        detail: 'new-service 1.9.2, the current version is 1.10.0',
      },
      'component:default/hand-made': {
        passed: false,
        detail:
          'not on the golden path (no acme.example/template): adopt it with the "Adopt the golden path" template',
      },
      'component:default/gone': {
        passed: false,
        detail: 'its template retired-template is not in the catalog',
      },
    });
    expect(check).toMatchObject({ id: 'golden-path-current', level: 'silver' });
  });
});
