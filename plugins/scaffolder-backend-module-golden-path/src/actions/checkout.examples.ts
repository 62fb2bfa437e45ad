import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Check out the repository of a catalog component',
    example: yaml.stringify({
      steps: [
        {
          id: 'checkout',
          action: 'golden-path:checkout',
          name: 'Check out the repository',
          input: { entityRef: 'component:default/cart-service' },
        },
      ],
    }),
  },
  {
    description: 'Check out a local repository by name into repo/',
    example: yaml.stringify({
      steps: [
        {
          id: 'checkout',
          action: 'golden-path:checkout',
          name: 'Check out the repository',
          input: { repository: 'legacy-billing', targetPath: 'repo' },
        },
      ],
    }),
  },
];
