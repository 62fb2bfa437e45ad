import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Add the rendered golden-path files to the repository, replacing only its pipeline',
    example: yaml.stringify({
      steps: [
        {
          id: 'merge',
          action: 'golden-path:merge',
          name: 'Add the golden path',
          input: {
            from: 'golden',
            into: 'repo',
            overwrite: ['.github/workflows/ci.yml'],
          },
        },
      ],
    }),
  },
];
