import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Upgrade a team's services, one pull request each, two at a time (in a template, `components: ${{ parameters.components }}` from a MultiEntityPicker)",
    example: yaml.stringify({
      steps: [
        {
          id: 'upgrade',
          action: 'golden-path:fleet:upgrade',
          name: 'Upgrade the services',
          input: {
            components: [
              'component:default/payments-api',
              'component:default/checkout-web',
              'component:default/orders-api',
            ],
          },
        },
      ],
    }),
  },
  {
    description: 'Upgrade two named services, one at a time',
    example: yaml.stringify({
      steps: [
        {
          id: 'upgrade',
          action: 'golden-path:fleet:upgrade',
          name: 'Upgrade the services',
          input: {
            components: [
              'component:default/payments-api',
              'component:default/cart-service',
            ],
            concurrency: 1,
          },
        },
      ],
    }),
  },
];
