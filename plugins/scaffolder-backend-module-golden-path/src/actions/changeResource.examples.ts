import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (input: Record<string, string>) =>
  yaml.stringify({
    steps: [
      {
        id: 'change',
        action: 'golden-path:resource:change',
        name: 'Change the resource',
        input: {
          entityRef: 'component:default/cart-service',
          owner: 'group:default/team-checkout',
          ...input,
        },
      },
    ],
  });

export const examples: TemplateExample[] = [
  {
    description: "Resize cart-service's database to medium",
    example: step({
      name: 'orders-db',
      type: 'database',
      change: 'resize',
      size: 'medium',
    }),
  },
  {
    description: "Remove cart-service's queue and its Terraform",
    example: step({ name: 'events', type: 'queue', change: 'remove' }),
  },
];
