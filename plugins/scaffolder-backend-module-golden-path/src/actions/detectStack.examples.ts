import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Detect the stack of the repository checked out into repo/',
    example: yaml.stringify({
      steps: [
        {
          id: 'detect',
          action: 'golden-path:detect-stack',
          name: 'Detect the stack',
          input: { path: 'repo' },
        },
      ],
    }),
  },
];
