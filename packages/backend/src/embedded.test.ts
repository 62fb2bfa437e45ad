import { ConfigReader } from '@backstage/config';
import goldenPathDemo from '@portal/plugin-catalog-backend-module-golden-path-demo';
import finopsDemo from '@portal/plugin-finops-backend-module-demo';
import secopsDemo from '@portal/plugin-secops-backend-module-demo';
import sreDemo from '@portal/plugin-sre-backend-module-demo';
import { embeddedDemoModules, EMBEDDED_DEMO_PACKAGES } from './embedded';

describe("the embedded default's demo modules", () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it('are every demo module outside production, each a backend feature', () => {
    process.env.NODE_ENV = 'development';
    expect(
      embeddedDemoModules(
        new ConfigReader({ auth: { environment: 'development' } }),
      ),
    ).toHaveLength(EMBEDDED_DEMO_PACKAGES.length);
    for (const feature of [goldenPathDemo, secopsDemo, finopsDemo, sreDemo]) {
      expect(feature.$$type).toBe('@backstage/BackendFeature');
    }
  });

  it.each([
    ['auth.environment is production', 'production', 'development'],
    ['NODE_ENV is production', 'development', 'production'],
  ])('are none when %s', (_when, environment, nodeEnv) => {
    process.env.NODE_ENV = nodeEnv;
    expect(
      embeddedDemoModules(new ConfigReader({ auth: { environment } })),
    ).toEqual([]);
  });
});
