import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Check a new service's name, description, owner and system before anything is rendered",
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'golden-path:validate',
          name: 'Check the inputs',
          input: {
            name: '${{ parameters.name }}',
            description: '${{ parameters.description }}',
            owner: '${{ parameters.owner }}',
            system: '${{ parameters.system }}',
          },
        },
      ],
    }),
  },
  {
    description:
      "Check that the caller's teams own the component a pull request is for",
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'golden-path:validate',
          name: 'Check the inputs',
          input: { component: '${{ parameters.component }}' },
        },
      ],
    }),
  },
];
