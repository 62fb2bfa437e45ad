import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Register the local repository "cart-service" in the catalog',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'golden-path:catalog:register-local',
          name: 'Register in the catalog',
          input: { repositoryName: 'cart-service' },
        },
      ],
    }),
  },
];
