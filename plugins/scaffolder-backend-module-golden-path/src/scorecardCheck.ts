/*
 * The golden path's scorecard check, added to the SecOps scorecards through
 * their extension point (a module of the secops plugin that this package
 * brings): a component is on the current golden-path version when its
 * catalog-info.yaml names a template (acme.example/template) at the version
 * that template's entity carries now (acme.example/template-version).
 */
import {
  AuthService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import {
  ScorecardCheck,
  secopsChecksExtensionPoint,
} from '@portal/plugin-secops-node';
import {
  compareVersions,
  TEMPLATE_ANNOTATION,
  TEMPLATE_VERSION_ANNOTATION,
} from './actions/templateInfo';
import { currentTemplateVersions } from './templateVersions';

/** The check, over the catalog's templates and components. */
export function goldenPathCheck(deps: {
  catalog: CatalogService;
  auth: AuthService;
}): ScorecardCheck {
  return {
    id: 'golden-path-current',
    title: 'On the current golden-path version',
    description:
      'The service was made from (or adopted) a golden-path template and follows its current version: upgrade it with the "Upgrade the golden path" template.',
    level: 'silver',
    evaluate: async batch => {
      const current = await currentTemplateVersions(
        deps.catalog,
        await deps.auth.getOwnServiceCredentials(),
      );
      return new Map(
        batch.map(({ ref, entity }) => {
          const template = entity.metadata.annotations?.[TEMPLATE_ANNOTATION];
          const version =
            entity.metadata.annotations?.[TEMPLATE_VERSION_ANNOTATION];
          if (!template) {
            return [
              ref,
              {
                passed: false,
                detail:
                  'not on the golden path (no acme.example/template): adopt it with the "Adopt the golden path" template',
              },
            ];
          }
          const latest = current.get(template);
          if (!latest) {
            return [
              ref,
              {
                passed: false,
                detail: `its template ${template} is not in the catalog`,
              },
            ];
          }
          const behind = compareVersions(version ?? '0', latest) < 0;
          return [
            ref,
            {
              passed: !behind,
              detail: behind
                ? `${template} ${
                    version ?? '(no version)'
                  }, the current version is ${latest}`
                : `${template} ${version}, the current version`,
            },
          ];
        }),
      );
    },
  };
}

/** Adds the golden path's check to the SecOps scorecards. */
export const secopsModuleGoldenPathChecks = createBackendModule({
  pluginId: 'secops',
  moduleId: 'golden-path-checks',
  register(env) {
    env.registerInit({
      deps: {
        checks: secopsChecksExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
      },
      async init({ checks, catalog, auth }) {
        checks.addCheck(goldenPathCheck({ catalog, auth }));
      },
    });
  },
});
