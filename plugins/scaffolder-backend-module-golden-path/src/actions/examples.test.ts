import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Validator } from 'jsonschema';
import { parse } from 'yaml';
import { LocalRepositories } from '../localRepositories';
import { createAddResourceAction } from './addResource';
import { createChangeResourceAction } from './changeResource';
import { createCheckoutAction } from './checkout';
import { createDetectStackAction } from './detectStack';
import { createFleetUpgradeAction } from './fleetUpgrade';
import { createMergeAction } from './merge';
import { createPublishLocalAction } from './publishLocal';
import { createPullRequestLocalAction } from './pullRequestLocal';
import { createRegisterLocalAction } from './registerLocal';
import {
  createTemplateReadAction,
  createTemplateStampAction,
} from './templateInfo';
import { createValidateAction } from './validate';
import { Ownership } from '../ownership';

const repositories = new LocalRepositories('/tmp/none');
const catalog = catalogServiceMock({ entities: [] });
const actions = [
  createPublishLocalAction({ repositories }),
  createRegisterLocalAction({ repositories, catalog }),
  createCheckoutAction({
    repositories,
    catalog,
    reader: mockServices.urlReader.mock(),
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  }),
  createDetectStackAction(),
  createMergeAction(),
  createAddResourceAction({
    sizes: async () => {
      throw new Error('not needed');
    },
    moduleSource: 'x',
    costAllocationTag: 'portal-entity-ref',
  }),
  createChangeResourceAction({
    sizes: async () => {
      throw new Error('not needed');
    },
    moduleSource: 'x',
    costAllocationTag: 'portal-entity-ref',
  }),
  createTemplateReadAction(),
  createTemplateStampAction(),
  createPullRequestLocalAction({ repositories }),
  createValidateAction({
    repositories,
    ownership: new Ownership(catalog, mockServices.auth(), []),
  }),
  createFleetUpgradeAction({
    catalog,
    auth: mockServices.auth(),
    ownership: new Ownership(catalog, mockServices.auth(), []),
    tasks: {
      start: async () => 'never',
      finished: async () => ({ status: 'never' }),
    },
  }),
];

describe.each(actions.map(a => [a.id, a] as const))('%s', (id, action) => {
  it('has examples whose steps are valid input for it', () => {
    expect(action.examples?.length).toBeGreaterThan(0);
    for (const example of action.examples!) {
      const steps = parse(example.example).steps.filter(
        (s: any) => s.action === id,
      );
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) {
        const result = new Validator().validate(
          step.input,
          action.schema!.input!,
        );
        expect(result.errors.map(e => e.stack)).toEqual([]);
      }
    }
  });

  it('says which of its actions can run in a dry run', () => {
    // Actions that write outside the workspace never run in a dry run.
    const writesOutside = [
      'golden-path:publish:local',
      'golden-path:catalog:register-local',
      'golden-path:pull-request:local',
      'golden-path:fleet:upgrade',
    ].includes(id);
    expect(!!action.supportsDryRun).toBe(!writesOutside);
  });
});
