import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Read which golden path the repository in repo/ follows',
    example: yaml.stringify({
      steps: [
        {
          id: 'info',
          action: 'golden-path:template:read',
          name: 'Read the golden-path version',
          input: { path: 'repo', currentVersion: '1.1.0' },
        },
        {
          id: 'stamp',
          action: 'golden-path:template:stamp',
          name: 'Record the new version',
          input: {
            path: 'repo',
            templateName: 'new-service',
            templateVersion: '1.1.0',
          },
        },
      ],
    }),
  },
];
