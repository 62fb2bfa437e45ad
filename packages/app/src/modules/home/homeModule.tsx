import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
### Find your way around

- **[Catalog](/)**: every service, website, library, API and resource of
  Acme Commerce, with its owner. *Owned* shows what your teams own.
- **[Docs](/docs)**: each component's TechDocs, and the portal's own guide
  (*Acme Developer Portal*).
- **[Create](/create)**: golden-path templates for new services.
- **[APIs](/api-docs)**: the API definitions, with who provides and consumes them.

You are signed in as a person of the demo organisation. To see the portal as
someone else (a team lead, the CISO, the CFO), sign out in **Settings** and
pick another person.
`;

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Welcome to the Acme Developer Portal',
    description: 'Where to find what in the portal',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget],
});
