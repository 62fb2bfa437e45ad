import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Declare a small PostgreSQL database for cart-service',
    example: yaml.stringify({
      steps: [
        {
          id: 'resource',
          action: 'golden-path:resource:add',
          name: 'Declare the database',
          input: {
            name: 'orders-db',
            type: 'database',
            size: 'small',
            entityRef: 'component:default/cart-service',
            owner: 'group:default/team-checkout',
          },
        },
      ],
    }),
  },
];
