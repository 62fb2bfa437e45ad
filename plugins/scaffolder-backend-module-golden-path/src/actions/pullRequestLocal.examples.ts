import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Propose the workspace as branch golden-path/adopt of legacy-billing',
    example: yaml.stringify({
      steps: [
        {
          id: 'pull-request',
          action: 'golden-path:pull-request:local',
          name: 'Open a local pull request',
          input: {
            repositoryName: 'legacy-billing',
            branchName: 'golden-path/adopt',
            title: 'Adopt the golden path',
            sourcePath: 'repo',
          },
        },
      ],
    }),
  },
];
