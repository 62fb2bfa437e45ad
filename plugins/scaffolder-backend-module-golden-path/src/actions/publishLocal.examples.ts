import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Publish the whole workspace as the repository "cart-service"',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'golden-path:publish:local',
          name: 'Publish to a local repository',
          input: { repositoryName: 'cart-service' },
        },
      ],
    }),
  },
];
